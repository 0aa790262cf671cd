namespace Metrics.Runner.Migrations;

public enum MigrationOutcome
{
    Succeeded,
    AppTablesMissing,
    Drift,
    LockTimeout,
    ScriptFailed,
}

/// <summary>
/// What <see cref="Migrator.MigrateAsync"/> did: the scripts applied (in a dry run, those that
/// would be), how long it took, and the one-line error. Commands only render this and pick an exit code.
/// </summary>
public sealed record MigrationResult(MigrationOutcome Outcome, IReadOnlyList<Script> Scripts, TimeSpan Duration = default, string? Error = null);
