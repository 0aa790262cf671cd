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

    /// <summary>What each code means, as <c>--help</c> prints it and README copies it.</summary>
    public static readonly IReadOnlyDictionary<int, string> Meanings = new SortedDictionary<int, string>
    {
        [Success] = "success (status: up to date)",
        [UnexpectedError] = "unexpected error (rerun with --verbose for details)",
        [UsageError] = "usage error: a bad option, connection string or URL",
        [ConnectionFailed] = "cannot connect: host unreachable, authentication failed, database missing",
        [AppTablesMissing] = "the app tables \"DashboardFact\"/\"DecisionLog\" are missing: run the app's Prisma migrations first",
        [ScriptFailed] = "a SQL script failed; it was rolled back and nothing after it ran",
        [DriftDetected] = "drift: an applied script was changed after it was applied",
        [LockTimeout] = "lock timeout: another metrics process holds the lock",
        [MigrationsPending] = "status: scripts are pending",
        [NotMigrated] = "the metrics schema is not migrated: run `metrics migrate` first",
        [Stale] = "status --max-age: the newest facts are older than that (the nightly refresh did not run)",
        [StatementTimeout] = "refresh: --statement-timeout reached; the refresh was cancelled and wrote nothing",
        [TriggersNotFiring] = "status: a metrics trigger on the app tables is missing, disabled or replica-only: each refresh then repairs the days it missed",
    };

    /// <summary>"Exit codes:" and one line per code, "  7  lock timeout: ...".</summary>
    public static string Describe(IEnumerable<int> codes) =>
        "Exit codes:" + string.Concat(codes.Order().Select(code => $"{Environment.NewLine}{code,3}  {Meanings[code]}"));
}
