using Dapper;
using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>
/// Who holds an advisory lock: enough for a DBA to find or stop it. pg_stat_activity shows a login
/// without pg_read_all_stats the pid, user and application of another role's session, but not its
/// client or start (null here): what is hidden is left out, never guessed.
/// </summary>
/// <param name="ClientPort">-1 for a unix socket; null when hidden.</param>
public sealed record LockHolder(int Pid, string? UserName, string? ApplicationName, string? ClientAddress, int? ClientPort, DateTime? BackendStart)
{
    public override string ToString()
    {
        var known = new List<string>();
        if (UserName is not null)
            known.Add($"user {UserName}");
        if (ApplicationName is { Length: > 0 })
            known.Add($"application '{ApplicationName}'");
        if (ClientAddress is not null)
            known.Add($"client {ClientAddress}");
        else if (ClientPort == -1)
            known.Add("client local socket");
        known.Add(BackendStart is { } since
            ? $"connected since {since:yyyy-MM-dd HH:mm:ss}Z"
            : "client and start time hidden from this login: pg_read_all_stats shows them");
        return $"backend pid {Pid} ({string.Join(", ", known)})";
    }
}

/// <summary>
/// Session-level advisory locks that keep two runs of the same job apart. Migrate and refresh
/// use different keys, so a refresh never waits for a migration's lock and vice versa.
/// The lock is polled with <c>pg_try_advisory_lock</c> on a connection with no open
/// transaction: a blocking wait or an open transaction would make CREATE INDEX CONCURRENTLY
/// wait for us forever.
/// </summary>
public static class AdvisoryLocks
{
    public const long MigrateKey = 7_235_001;

    /// <summary>Also hard-coded in the refresh procedure (db/): keep them equal.</summary>
    public const long RefreshKey = 7_235_002;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<bool> TryAcquireAsync(NpgsqlConnection connection, long key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var command = new CommandDefinition("select pg_try_advisory_lock(@key)", new { key }, cancellationToken: cancellationToken);
            if (await connection.ExecuteScalarAsync<bool>(command))
                return true;
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    public static Task ReleaseAsync(NpgsqlConnection connection, long key) =>
        connection.ExecuteAsync("select pg_advisory_unlock(@key)", new { key });

    public static Task<LockHolder?> FindHolderAsync(NpgsqlConnection connection, long key) =>
        connection.QuerySingleOrDefaultAsync<LockHolder?>(
            """
            select activity.pid as Pid,
                   activity.usename as UserName,
                   activity.application_name as ApplicationName,
                   host(activity.client_addr) as ClientAddress,
                   activity.client_port as ClientPort,
                   activity.backend_start at time zone 'UTC' as BackendStart
            from pg_locks as locks
            inner join pg_stat_activity as activity on activity.pid = locks.pid
            where locks.locktype = 'advisory'
              and locks.granted
              and locks.database = (select oid from pg_database where datname = current_database())
              and locks.classid = (@key >> 32)::oid
              and locks.objid = (@key & 4294967295)::oid
              and locks.objsubid = 1
            limit 1
            """,
            new { key });
}
