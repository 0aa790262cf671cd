namespace Metrics.Tests.Infrastructure;

/// <summary>A temporary db/-like folder (migrations/, repeatable/) for <c>metrics migrate --scripts</c>.</summary>
public sealed class ScriptFolder : IDisposable
{
    public ScriptFolder()
    {
        Path = Directory.CreateTempSubdirectory("metrics-scripts-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "migrations"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "repeatable"));
    }

    public string Path { get; }

    public ScriptFolder Migration(string fileName, string sql) => Write("migrations", fileName, sql);

    public ScriptFolder Repeatable(string fileName, string sql) => Write("repeatable", fileName, sql);

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private ScriptFolder Write(string folder, string fileName, string sql)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, folder, fileName), sql);
        return this;
    }
}
