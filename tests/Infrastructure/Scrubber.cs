using System.Text.RegularExpressions;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// Replaces volatile values with stable placeholders. Equal values get the same number
/// (<c>{generated_at_1}</c> twice means the same instant twice), so a scrubbed snapshot still shows
/// which values were equal.
/// </summary>
public sealed class Scrubber(string placeholder, Regex pattern)
{
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
