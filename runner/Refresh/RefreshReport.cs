using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Metrics.Runner.Refresh;

/// <summary>What one <c>metrics refresh</c> did: the result of each refresh it ran, in order.</summary>
public sealed record RefreshReport(RefreshRequest Request, IReadOnlyList<RefreshResult> Refreshes)
{
    /// <summary>Where a backfill stopped; null for a single refresh and for a backfill that finished.</summary>
    public BackfillStop? StoppedBackfill =>
        Request.BackfillFrom is { } from && Refreshes.Count > 0 && Refreshes[^1].Outcome != RefreshOutcome.Succeeded
            ? new BackfillStop(from, DateOnly.FromDateTime(Refreshes[^1].AsOf.UtcDateTime))
            : null;

    /// <summary>
    /// The result object of <c>refresh --json</c>: the refresh's own object, or for a backfill
    /// <c>{"refreshes": [...]}</c> with one object per day.
    /// </summary>
    public JsonObject ToJson() => Request.BackfillFrom is null && Refreshes.Count == 1
        ? ToJson(Refreshes[0])
        : new JsonObject { ["refreshes"] = new JsonArray([.. Refreshes.Select(ToJson)]) };

    private static JsonObject ToJson(RefreshResult result) => new()
    {
        ["outcome"] = JsonNamingPolicy.CamelCase.ConvertName(result.Outcome.ToString()),
        ["asOf"] = JsonOutput.Instant(result.AsOf.UtcDateTime),
        ["windowStart"] = result.WindowStart is { } start ? JsonOutput.Instant(start) : null,
        ["windowEnd"] = result.WindowEnd is { } end ? JsonOutput.Instant(end) : null,
        ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        ["attempts"] = result.Attempts,
        ["dataQualityIssues"] = result.DataQualityIssues,
        ["mode"] = result.Mode,
        ["changedRows"] = result.ChangedRows,
        ["repairedDays"] = result.RepairedDays is { } repaired
            ? new JsonArray([.. repaired.Select(day => new JsonObject { ["inputKind"] = day.InputKind, ["day"] = day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) })])
            : null,
        ["facts"] = new JsonObject(result.Facts.Select(f => KeyValuePair.Create<string, JsonNode?>(
            f.FactType, new JsonObject { ["value"] = f.Value.DeepClone(), ["metadata"] = f.Metadata.DeepClone() }))),
        ["error"] = result.Error,
    };
}

/// <summary>
/// A backfill that stopped at <see cref="FailedDay"/>. Each day is committed on its own: the days
/// from <see cref="From"/> up to the day before it are written, and the views show that day.
/// </summary>
public sealed record BackfillStop(DateOnly From, DateOnly FailedDay)
{
    public bool WroteNothing => FailedDay == From;
}
