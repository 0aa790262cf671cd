using System.Globalization;
using System.Text;

namespace Metrics.Bench;

/// <summary>
/// The benchmark's one table: each measure with its value, its ratio to the floor F (for
/// times), and the target (docs/performance.md, "The targets") it is held to, if any, with met / not met.
/// </summary>
internal sealed class ResultTable(TimeSpan floor)
{
    private readonly List<Row> _rows = [];

    public TimeSpan Floor => floor;

    public void AddTime(string measure, TimeSpan time, Target? target = null) =>
        _rows.Add(new Row(measure, FormatTime(time), (time / floor).ToString("0.000", CultureInfo.InvariantCulture), target));

    public void AddValue(string measure, string value, Target? target = null) => _rows.Add(new Row(measure, value, "", target));

    public int TargetsMet => _rows.Count(row => row.Target is { Met: true });
    public int Targets => _rows.Count(row => row.Target is not null);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| measure | value | × F | target | met |");
        text.AppendLine("|---|---:|---:|---|---|");
        foreach (var row in _rows)
            text.AppendLine($"| {row.Measure} | {row.Value} | {row.RatioToFloor} | {row.Target?.Text} | {row.Target switch { null => "", { Met: true } => "met", _ => "**not met**" }} |");
        return text.ToString();
    }

    public static string FormatTime(TimeSpan time) =>
        time.TotalSeconds < 1
            ? $"{time.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms"
            : $"{time.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";

    private sealed record Row(string Measure, string Value, string RatioToFloor, Target? Target);
}

/// <summary>A target as text, and whether the measure meets it.</summary>
internal sealed record Target(string Text, bool Met)
{
    public static Target AtMost(TimeSpan limit, string text, TimeSpan value) => new(text, value <= limit);

    public static Target AtMost(double limit, string text, double value) => new(text, value <= limit);
}
