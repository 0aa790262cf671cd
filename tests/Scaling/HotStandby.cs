using System.Diagnostics;
using Dapper;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Scaling;

/// <summary>
/// A hot standby of the test run's throwaway server (the primary), as a class fixture:
/// <c>pg_basebackup -R</c> over the primary's unix socket into a folder beside its data
/// directory, started with the primary's binaries on a free port of 127.0.0.1. It streams
/// everything the primary writes, every test database included. Stopped when the class is done;
/// should the test process die first, the primary's watchdog deletes that folder, and the
/// standby, its lock file gone, shuts itself down within a minute.
/// </summary>
public sealed class HotStandby : IAsyncLifetime
{
    /// <summary>Settings a hot standby refuses to start with lower than its primary's.</summary>
    private static readonly string[] SettingsAtLeastThePrimarys =
        ["max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction"];

    private string _binaries = "";
    private string _directory = "";
    private int _port;

    public PostgresServer Primary { get; private set; } = null!;

    /// <summary>Why no standby can be made here, or null when it can.</summary>
    public static string? SkipReason()
    {
        if (ServerChoice.Current.Kind != ServerKind.LocalBinaries)
            return $"the test server is {ServerChoice.Current.Description}: the tests cannot copy its data directory to start a standby.";
        var binaries = LocalPostgres.FindBinaries();
        return File.Exists(Path.Combine(binaries, "pg_basebackup"))
            ? null
            : $"{binaries} has no pg_basebackup, which copies the primary to start a standby (the embedded-postgres binaries of ./build.sh test --pg hold only the server).";
    }

    public async Task InitializeAsync()
    {
        if (SkipReason() is not null)
            return;
        Primary = await PostgresServer.Instance;
        await using var primary = new NpgsqlConnection(Primary.ConnectionString("postgres"));
        await primary.OpenAsync();
        _binaries = await primary.ExecuteScalarAsync<string>("select setting from pg_config where name = 'BINDIR'") ?? "";
        var dataDirectory = await primary.ExecuteScalarAsync<string>("select current_setting('data_directory')");
        var socketDirectory = await primary.ExecuteScalarAsync<string>("select split_part(current_setting('unix_socket_directories'), ',', 1)");
        var settings = await primary.QueryAsync<(string Name, string Setting)>(
            "select name, setting from pg_settings where name = any(@names)", new { names = SettingsAtLeastThePrimarys });

        _directory = Path.Combine(Path.GetDirectoryName(dataDirectory)!, "standby-" + Guid.NewGuid().ToString("N")[..8]);
        _port = LocalPostgres.FreePort();
        RunAsServerUser("pg_basebackup",
            ["-h", socketDirectory!, "-p", Primary.Port.ToString(), "-U", Primary.AdminUser, "-D", _directory, "-R", "-X", "stream", "-c", "fast", "--no-sync"]);
        RunAsServerUser("pg_ctl",
        [
            "-D", _directory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off " +
                  string.Join(' ', settings.Select(s => $"-c {s.Name}={s.Setting}")),
        ]);
    }

    public Task DisposeAsync()
    {
        if (_directory.Length > 0 && File.Exists(Path.Combine(_directory, "postmaster.pid")))
            RunAsServerUser("pg_ctl", ["-D", _directory, "-m", "immediate", "-w", "stop"]);
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Connection string of <paramref name="database"/> on the standby, as a login of the primary.</summary>
    public string ConnectionString(string database, string username, string password) =>
        new NpgsqlConnectionStringBuilder(Primary.ConnectionString(database, username, password)) { Port = _port }.ConnectionString;

    /// <summary>
    /// Waits until the standby has replayed everything the primary had inserted into its WAL when
    /// called. The insert position, not the write position: the test server commits with
    /// synchronous_commit off, so a commit that just returned may not be written yet.
    /// </summary>
    public async Task CatchUpAsync(TimeSpan timeout)
    {
        await using var primary = new NpgsqlConnection(Primary.ConnectionString("postgres"));
        await primary.OpenAsync();
        var lsn = await primary.ExecuteScalarAsync<string>("select pg_current_wal_insert_lsn()::text");
        await using var standby = new NpgsqlConnection(ConnectionString("postgres", Primary.AdminUser, Primary.AdminPassword));
        await standby.OpenAsync();
        var stopwatch = Stopwatch.StartNew();
        while (!await standby.ExecuteScalarAsync<bool>("select pg_last_wal_replay_lsn() >= @lsn::pg_lsn", new { lsn }))
        {
            if (stopwatch.Elapsed > timeout)
                throw new TimeoutException($"the standby had not replayed the primary's WAL up to {lsn} after {timeout.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    private void RunAsServerUser(string program, string[] arguments) =>
        LocalPostgres.RunAsServerUser(Path.Combine(_binaries, program), arguments);
}
