namespace Metrics.Tests.Infrastructure;

/// <summary>
/// A temporary db/-like folder for <c>metrics migrate --scripts</c>: versioned scripts in
/// migrations/, repeatable ones in functions/, views/, procedures/, triggers/ and grants/. A
/// folder is created when its first script is written, so the others are missing, as the runner
/// must allow.
/// </summary>
public sealed class ScriptFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("metrics-scripts-").FullName;

    public ScriptFolder Migration(string fileName, string sql) => Write("migrations", fileName, sql);

    public ScriptFolder Function(string fileName, string sql) => Write("functions", fileName, sql);

    public ScriptFolder View(string fileName, string sql) => Write("views", fileName, sql);

    public ScriptFolder Procedure(string fileName, string sql) => Write("procedures", fileName, sql);

    public ScriptFolder Trigger(string fileName, string sql) => Write("triggers", fileName, sql);

    public ScriptFolder Grant(string fileName, string sql) => Write("grants", fileName, sql);

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private ScriptFolder Write(string folder, string fileName, string sql)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Path, folder));
        File.WriteAllText(System.IO.Path.Combine(Path, folder, fileName), sql);
        return this;
    }
}
