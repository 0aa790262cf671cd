using System.Globalization;
using System.Text.Json.Nodes;

namespace Metrics.Runner.Refresh;

public enum RefreshOutcome
{
    Succeeded,
    NotMigrated,
    AppTablesMissing,
    LockTimeout,
    StatementTimeout,
    AppSchemaMismatch,

    /// <summary>An error the runner reports itself (a connection that could not be made, after the retries).</summary>
    Failed,
}

/// <summary>One aggregate fact as the refresh wrote it into "DashboardFact".</summary>
public sealed record WrittenFact(string FactType, JsonObject Value, JsonObject Metadata);

/// <summary>A UTC day of one input kind whose app rows changed without the triggers logging it, parsed again.</summary>
public sealed record RepairedDay(string InputKind, DateOnly Day)
{
    /// <summary>Reads metrics.refresh_run.repaired_days: a JSON array of {"inputKind", "day"}.</summary>
    public static IReadOnlyList<RepairedDay> ListFromJson(string json) =>
        [.. JsonNode.Parse(json)!.AsArray().Select(day => new RepairedDay(
            (string)day!["inputKind"]!, DateOnly.ParseExact((string)day["day"]!, "yyyy-MM-dd", CultureInfo.InvariantCulture)))];

    /// <summary>"escalation 2025-09-14 to 2025-09-16 (3 days), decision 2025-09-20": each kind's days, as runs of consecutive days.</summary>
    public static string Describe(IReadOnlyList<RepairedDay> days) => string.Join(", ", days
        .GroupBy(day => day.InputKind)
        .SelectMany(kind =>
        {
            var sorted = kind.Select(day => day.Day).Order().ToList();
            var runs = new List<(DateOnly First, DateOnly Last)>();
            foreach (var day in sorted)
                if (runs.Count > 0 && runs[^1].Last.AddDays(1) == day)
                    runs[^1] = (runs[^1].First, day);
                else
                    runs.Add((day, day));
            return runs.Select(run => run.First == run.Last
                ? $"{kind.Key} {run.First:yyyy-MM-dd}"
                : $"{kind.Key} {run.First:yyyy-MM-dd} to {run.Last:yyyy-MM-dd} ({run.Last.DayNumber - run.First.DayNumber + 1} days)");
        }));
}

/// <summary>What one <c>CALL metrics.refresh(as_of)</c> did, as read back from the database.</summary>
public sealed record RefreshResult(RefreshOutcome Outcome, DateTimeOffset AsOf, TimeSpan Duration)
{
    public IReadOnlyList<WrittenFact> Facts { get; init; } = [];
    public string? Error { get; init; }
    public DateTime? WindowStart { get; init; }
    public DateTime? WindowEnd { get; init; }
    public int DataQualityIssues { get; init; }

    /// <summary>How the refresh ran (metrics.refresh_run.refresh_mode): incremental or full.</summary>
    public string? Mode { get; init; }

    /// <summary>App input rows the refresh parsed (metrics.refresh_run.changed_rows).</summary>
    public int? ChangedRows { get; init; }

    /// <summary>
    /// Days the refresh parsed again because their app rows no longer matched what they were
    /// parsed from (metrics.refresh_run.repaired_days); null for a full refresh.
    /// </summary>
    public IReadOnlyList<RepairedDay>? RepairedDays { get; init; }

    /// <summary>How many times the refresh was tried (more than 1 after transient connection failures).</summary>
    public int Attempts { get; init; } = 1;
}
