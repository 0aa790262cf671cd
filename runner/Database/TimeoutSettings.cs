namespace Metrics.Runner.Database;

/// <summary>Values for the server's <c>lock_timeout</c> and <c>statement_timeout</c> settings.</summary>
public static class TimeoutSettings
{
    /// <summary>At least 1 ms: PostgreSQL reads a lock_timeout of 0 as "wait forever", where our --lock-timeout 0 means "do not wait".</summary>
    public static string LockTimeout(TimeSpan wait) => $"{Math.Max(1, (long)wait.TotalMilliseconds)}ms";

    /// <summary>0 means no limit, as for PostgreSQL.</summary>
    public static string StatementTimeout(TimeSpan limit) => $"{(long)limit.TotalMilliseconds}ms";
}
