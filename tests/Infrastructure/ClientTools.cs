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
        if (Directory.Exists("/usr/lib/postgresql"))
            folders.AddRange(Directory.EnumerateDirectories("/usr/lib/postgresql")
                .OrderByDescending(path => int.TryParse(Path.GetFileName(path), out var version) ? version : 0)
                .Select(path => Path.Combine(path, "bin")));
        folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>A libpq connection URI for <paramref name="database"/> on the tests' server, as the admin user.</summary>
    public static string ConnectionUri(PostgresServer server, string database) =>
        $"postgresql://{Uri.EscapeDataString(server.AdminUser)}:{Uri.EscapeDataString(server.AdminPassword)}@{server.Host}:{server.Port}/{Uri.EscapeDataString(database)}";
}
