namespace Metrics.Runner.Database;

/// <summary>PostgreSQL identifier quoting, the one place the runner builds an identifier into SQL text.</summary>
public static class SqlIdentifier
{
    /// <summary><c>a"b</c> becomes <c>"a""b"</c>: always quoted, so case and odd characters survive.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
