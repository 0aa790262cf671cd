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

    /// <summary>How many times the refresh was tried (more than 1 after transient connection failures).</summary>
    public int Attempts { get; init; } = 1;
}
