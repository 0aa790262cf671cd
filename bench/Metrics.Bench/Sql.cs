using System.Reflection;

namespace Metrics.Bench;

/// <summary>The SQL files embedded in this binary (see the project file).</summary>
internal static class Sql
{
    public static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded SQL {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
