namespace Metrics.Runner.Backfill;

public enum ChatwootBackfillOutcome
{
    Succeeded,
    NotMigrated,
    AppTablesMissing,
    LockTimeout,
}

/// <summary>What one <c>metrics.backfill_chatwoot(dry_run)</c> changed, or would change on a dry run.</summary>
public sealed record ChatwootBackfillResult(ChatwootBackfillOutcome Outcome, bool DryRun)
{
    public int RowsChanged { get; init; }
    public int ConversationsChanged { get; init; }
    public string? Error { get; init; }
}
