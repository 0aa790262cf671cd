using System.Text.RegularExpressions;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// Replaces volatile values with stable placeholders. Equal values get the same number
/// (<c>{generated_at_1}</c> twice means the same instant twice), so a scrubbed snapshot still shows
/// which values were equal.
/// </summary>
public sealed class Scrubber(string placeholder, Regex pattern)
{
    /// <summary>ISO-8601 instants such as 2026-11-22T02:00:01.123Z or 2026-11-22 02:00:01.123+00.</summary>
    public static Scrubber Timestamps(string placeholder = "timestamp") =>
        new(placeholder, new Regex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?"));

    /// <summary>Values following <paramref name="label"/> and an optional quote/colon, e.g. <c>"generatedAt": "..."</c>.</summary>
    public static Scrubber After(string label, string placeholder) =>
        new(placeholder, new Regex($@"(?<={Regex.Escape(label)}""?\s*[:=|]\s*""?)[^""\s,}}|]+"));

    public string Apply(string text)
    {
        var seen = new Dictionary<string, int>();
        return pattern.Replace(text, match =>
        {
            if (!seen.TryGetValue(match.Value, out var number))
                seen[match.Value] = number = seen.Count + 1;
            return $"{{{placeholder}_{number}}}";
        });
    }
}
