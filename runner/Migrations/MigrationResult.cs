using Metrics.Runner.Database;

namespace Metrics.Runner.Migrations;

public enum MigrationOutcome
{
    Succeeded,
    AppTablesMissing,
    Drift,
    LockTimeout,
    ScriptFailed,
}

/// <summary>A script that ran (or, in a dry run, would run).</summary>
public sealed record AppliedScript(Script Script, TimeSpan Duration);

/// <summary>What <see cref="Migrator.MigrateAsync"/> did: the commands only render this and pick an exit code.</summary>
public sealed record MigrationResult(MigrationOutcome Outcome, IReadOnlyList<AppliedScript> Applied, string? Error = null)
{
    public MigrationPlan? Plan { get; init; }
    public LockHolder? LockHolder { get; init; }
    public string? FailedScript { get; init; }
}
