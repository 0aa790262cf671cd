namespace Metrics.Runner;

/// <summary>
/// Every exit code the <c>metrics</c> tool returns. Documented in <c>--help</c> and README;
/// schedulers and deploy pipelines gate on these, so a value never changes meaning.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int UnexpectedError = 1;
    public const int UsageError = 2;
    public const int ConnectionFailed = 3;
    public const int AppTablesMissing = 4;
    public const int ScriptFailed = 5;
    public const int DriftDetected = 6;
    public const int LockTimeout = 7;
    public const int MigrationsPending = 8;
    public const int NotMigrated = 9;
    public const int Stale = 10;
    public const int StatementTimeout = 11;
    public const int TriggersNotFiring = 12;

    /// <summary>The table printed by <c>metrics --help</c> and copied into README.</summary>
    public const string HelpText = """
        Exit codes:
          0  success (status: up to date)
          1  unexpected error (rerun with --verbose for details)
          2  usage error: a bad option, connection string or URL
          3  cannot connect: host unreachable, authentication failed, database missing
          4  the app tables "DashboardFact"/"DecisionLog" are missing: run the app's Prisma migrations first
          5  a SQL script failed; it was rolled back and nothing after it ran
          6  drift: an applied script was changed after it was applied
          7  lock timeout: another metrics process holds the lock
          8  status: scripts are pending
          9  the metrics schema is not migrated: run `metrics migrate` first
         10  status --max-age: the newest facts are older than that (the nightly refresh did not run)
         11  refresh: --statement-timeout reached; the refresh was cancelled and wrote nothing
         12  status: a metrics trigger on the app tables is missing, disabled or replica-only: each refresh then repairs the days it missed
        """;
}
