using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server: <c>initdb</c> into a temp dir, a free port on 127.0.0.1, its
/// unix socket in the same dir, <c>fsync=off</c>. Password authentication over TCP (so tests can
/// check a wrong password), trust on the socket. As root, the server runs as the unprivileged
/// <c>postgres</c> OS user (initdb refuses root). A detached watchdog stops the server and
/// deletes the dir as soon as the test process is gone, however it ended (the test host is
/// killed right after its last test, too early for any cleanup of its own); a dir a watchdog
/// could not clean is removed by the next run.
/// </summary>
public sealed class LocalPostgres
{
    private const string DirectoryPrefix = "metrics-pg-";
    private const string OwnerFile = "owner.pid";

    private readonly string _binaries;
    private readonly string _directory;

    private LocalPostgres(NpgsqlConnectionStringBuilder adminConnection, string binaries, string directory)
    {
        AdminConnection = adminConnection;
        _binaries = binaries;
        _directory = directory;
    }

    public NpgsqlConnectionStringBuilder AdminConnection { get; }

    /// <summary><c>pg_ctl restart -m fast</c>: every connection is closed, the server is back when this returns.</summary>
    public void Restart() =>
        RunAsServerUser(System.IO.Path.Combine(_binaries, "pg_ctl"), ["-D", System.IO.Path.Combine(_directory, "data"), "-l", System.IO.Path.Combine(_directory, "server.log"), "-m", "fast", "-w", "-t", "60", "restart"]);

    /// <summary>
    /// <c>pg_ctl restart -m immediate</c>: the server stops as if it crashed (no shutdown
    /// checkpoint) and recovers when it starts again, emptying every unlogged table.
    /// </summary>
    public void CrashAndRestart() =>
        RunAsServerUser(System.IO.Path.Combine(_binaries, "pg_ctl"), ["-D", System.IO.Path.Combine(_directory, "data"), "-l", System.IO.Path.Combine(_directory, "server.log"), "-m", "immediate", "-w", "-t", "60", "restart"]);

    /// <summary>Stops the server and deletes its folder (the watchdog would, once the test process is gone).</summary>
    public void Stop() => Stop(_binaries, _directory);

    private static readonly SemaphoreSlim StartLock = new(1, 1);

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<LocalPostgres> StartAsync()
    {
        var binaries = FindBinaries();
        string directory;
        // Tests start servers in parallel: a folder just created has no owner file for a moment,
        // and another start's clean-up must not take it for a leftover.
        await StartLock.WaitAsync();
        try
        {
            RemoveLeftovers(binaries);
            directory = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
            await File.WriteAllTextAsync(System.IO.Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString());
        }
        finally
        {
            StartLock.Release();
        }
        var password = Guid.NewGuid().ToString("N");
        var passwordFile = System.IO.Path.Combine(directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        if (IsRoot)
            Run("chown", ["-R", "postgres", directory]);

        var data = System.IO.Path.Combine(directory, "data");
        var port = FreePort();
        RunAsServerUser(System.IO.Path.Combine(binaries, "initdb"),
            ["-D", data, "-U", "postgres", "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var server = new LocalPostgres(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Password = password,
            Database = "postgres",
        }, binaries, directory);
        RunAsServerUser(System.IO.Path.Combine(binaries, "pg_ctl"),
        [
            "-D", data, "-l", System.IO.Path.Combine(directory, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=logical" +
                  (HasPgCron(binaries) ? " -c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.use_background_workers=on -c max_worker_processes=32" : ""),
        ]);
        StartWatchdog(binaries, directory);
        return server;
    }

    private static void StartWatchdog(string binaries, string directory)
    {
        var stop = $"{System.IO.Path.Combine(binaries, "pg_ctl")} -D {System.IO.Path.Combine(directory, "data")} -m immediate -w stop";
        var script = $"""
            exec </dev/null >/dev/null 2>&1
            while kill -0 {Environment.ProcessId}; do sleep 0.5; done
            {(IsRoot ? "runuser -u postgres -- " : "")}{stop}
            rm -rf '{directory}'
            """;
        using var watchdog = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { WorkingDirectory = "/" })!;
        watchdog.WaitForExit();
    }

    private static void Stop(string binaries, string directory)
    {
        var data = System.IO.Path.Combine(directory, "data");
        if (File.Exists(System.IO.Path.Combine(data, "postmaster.pid")))
            TryRun(() => RunAsServerUser(System.IO.Path.Combine(binaries, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]));
        TryRun(() => Directory.Delete(directory, recursive: true));
    }

    /// <summary>Stops servers and deletes dirs of earlier runs whose test process is gone.</summary>
    private static void RemoveLeftovers(string binaries)
    {
        foreach (var directory in Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var owner = System.IO.Path.Combine(directory, OwnerFile);
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && IsAlive(pid))
                continue;
            Stop(binaries, directory);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Why the pg_cron test cannot run here, or null when it can: the throwaway server preloads
    /// pg_cron when the Debian package postgresql-NN-cron is installed (build.sh installs it when
    /// it can); a server named by the environment variable is used as it is, and the
    /// postgres:15 image has no pg_cron.
    /// </summary>
    public static string? PgCronSkipReason()
    {
        switch (ServerChoice.Current.Kind)
        {
            case ServerKind.External:
                return $"{PostgresServer.UrlVariable} names an existing server, whose shared_preload_libraries the tests cannot set.";
            case ServerKind.Container:
                return $"the {ServerChoice.ContainerImage} container has no pg_cron (it is not in the image).";
        }
        string binaries;
        try
        {
            binaries = FindBinaries();
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        return HasPgCron(binaries) ? null : $"pg_cron is not installed for {binaries} (apt-get install -y postgresql-NN-cron; build.sh test tries).";
    }

    private static bool HasPgCron(string binaries) =>
        File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(binaries)!, "lib", "pg_cron.so"));

    /// <summary>The bin folders of installed PostgreSQL versions, newest first: Debian's /usr/lib/postgresql/NN/bin, then a source build's.</summary>
    internal static IEnumerable<string> InstalledBinaryFolders() =>
        (Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .OrderByDescending(path => int.TryParse(System.IO.Path.GetFileName(path), out var version) ? version : 0)
                .Select(path => System.IO.Path.Combine(path, "bin"))
            : [])
        .Append("/usr/local/pgsql/bin");

    /// <summary>The folder of initdb and pg_ctl the throwaway server runs from: PG_BINDIR, else the newest installed version.</summary>
    internal static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } configured)
        {
            // a PG_BINDIR that names a version must not fall back to another one silently
            return File.Exists(System.IO.Path.Combine(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"PG_BINDIR={configured} has no initdb: point it at a folder of PostgreSQL server binaries, or unset it.");
        }
        candidates.AddRange(InstalledBinaryFolders());
        return candidates.FirstOrDefault(path => File.Exists(System.IO.Path.Combine(path, "initdb")))
               ?? throw new InvalidOperationException(
                   $"No PostgreSQL server binaries found (looked in {string.Join(", ", candidates)}). " +
                   $"Install them (apt-get install -y postgresql), set PG_BINDIR to the folder holding initdb, " +
                   $"or set {PostgresServer.UrlVariable} to a server the tests may create databases on.");
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a server program, as the <c>postgres</c> OS user when the tests run as root (initdb refuses root).</summary>
    internal static void RunAsServerUser(string program, string[] arguments)
    {
        if (IsRoot)
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        else
            Run(program, arguments);
    }

    private static void Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
    }

    private static void TryRun(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Best effort: a leftover is removed by the next run.
        }
    }
}
