namespace Metrics.Bench;

/// <summary>Replaces the text between the bench markers of docs/performance.md with the latest run.</summary>
internal static class PerformanceDoc
{
    private const string Begin = "<!-- bench:begin -->";
    private const string End = "<!-- bench:end -->";

    public static void Write(string path, string section)
    {
        var document = File.ReadAllText(path);
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new InvalidOperationException($"{path} has no {Begin} ... {End} section to write the results into");
        File.WriteAllText(path, document[..(begin + Begin.Length)] + "\n" + section + document[end..]);
    }
}
