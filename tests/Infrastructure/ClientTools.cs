namespace Metrics.Tests.Infrastructure;

/// <summary>PostgreSQL's client programs (psql, pg_dump, pg_restore) for the tests that run them as a DBA would.</summary>
public static class ClientTools
{
    /// <summary>
    /// The path of <paramref name="program"/>: in PG_BINDIR, the newest /usr/lib/postgresql/NN/bin,
    /// or on PATH; null when none has it.
    /// </summary>
    public static string? Find(string program)
    {
        var folders = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } configured)
            folders.Add(configured);
        folders.AddRange(LocalPostgres.InstalledBinaryFolders());
        folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Why <paramref name="program"/> cannot run against the test server, or null when it can:
    /// it is missing, or (with <paramref name="notOlderThanTheServer"/>: pg_dump refuses a newer
    /// server) its major version is older than the server's, as when ./build.sh test --pg 18
    /// runs the server from PG_BINDIR and the client programs come from an older install.
    /// </summary>
    public static string? SkipReason(string program, bool notOlderThanTheServer = false)
    {
        if (Find(program) is not { } path)
            return $"{program} is not installed (apt-get install -y postgresql-client, or set PG_BINDIR).";
        if (!notOlderThanTheServer || ServerMajor() is not { } server)
            return null;
        var client = Major(path);
        return client >= server ? null : $"{path} is PostgreSQL {client}, older than the test server's {server}: {program} refuses a newer server.";
    }

    /// <summary>The test server's major version where the tests can tell before starting it: the local binaries', or the container image's tag.</summary>
    private static int? ServerMajor() => ServerChoice.Current.Kind switch
    {
        ServerKind.LocalBinaries => Major(Path.Combine(LocalPostgres.FindBinaries(), "postgres")),
        ServerKind.Container when int.TryParse(ServerChoice.ContainerImage.Split(':').ElementAtOrDefault(1)?.Split('.', '-')[0], out var tag) => tag,
        _ => null,
    };

    /// <summary>The major version a PostgreSQL program prints with --version ("psql (PostgreSQL) 16.4" gives 16).</summary>
    private static int? Major(string program)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, "--version") { RedirectStandardOutput = true })!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = System.Text.RegularExpressions.Regex.Match(text, @"\) (\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>A libpq connection URI for <paramref name="database"/> on the tests' server, as the admin user.</summary>
    public static string ConnectionUri(PostgresServer server, string database) =>
        $"postgresql://{Uri.EscapeDataString(server.AdminUser)}:{Uri.EscapeDataString(server.AdminPassword)}@{server.Host}:{server.Port}/{Uri.EscapeDataString(database)}";
}
