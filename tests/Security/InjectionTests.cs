using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Xunit;

namespace Metrics.Tests.Security;

/// <summary>A migrated and refreshed database that the hostile runs of <see cref="Hostile_input"/> must leave as it is.</summary>
public sealed class RefreshedDatabase : IAsyncLifetime
{
    public MetricsDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(Database);
        await Database.RefreshAsync(FixedDataSet.AsOf);
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();
}

/// <summary>
/// Every value a user gives (--as-of, --backfill-from, the app schema by option and by URL,
/// --reader-role, the parts of DATABASE_URL, snapshot's --out) tried with hostile text: SQL
/// fragments, quotes, unicode look-alikes, control characters and NUL, very long strings. Each
/// gets a one-line error with a usage or connection exit code, or is taken as plain data; the
/// database's catalog and table contents are the same afterwards.
/// </summary>
public class Hostile_input(RefreshedDatabase fixture) : IClassFixture<RefreshedDatabase>
{
    private const string Drop = "; drop table \"DecisionLog\"; --";

    public static readonly string[] HostileNames =
    [
        "public" + Drop,
        "public\"" + Drop,
        "public'" + Drop,
        "\u0440ublic",                 // Cyrillic er
        "pub\u217Cic",                 // small roman numeral fifty
        "\uFF50\uFF55\uFF42\uFF4C\uFF49\uFF43", // fullwidth
        "public\u200B",                // zero-width space
        "public\0" + Drop,
        "public\n" + Drop,
        "",
        new string('a', 64),
        new string('\u0434', 40),      // 40 characters, 80 bytes
        new string('x', 100_000),
    ];

    public static readonly string[] HostileInstants =
    [
        "2025-10-05" + Drop,
        "2025-10-05T00:00:00Z'" + Drop,
        "2025-10-05T00:00:00Z\0",
        "2025-10-05\n2025-10-06",
        "\uFF12\uFF10\uFF12\uFF15-10-05",  // fullwidth digits
        "2025\u201010\u201005",            // unicode hyphens
        "'; select pg_sleep(10); --",
        new string('9', 100_000),
    ];

    public static TheoryData<string> Names() => new(HostileNames);

    /// <summary>The URL parts are tried with fewer values: each run connects.</summary>
    public static TheoryData<string> UrlParts() => new(HostileNames[0], HostileNames[2], HostileNames[3], HostileNames[7], HostileNames[9], HostileNames[^1]);

    public static TheoryData<string> Instants() => new(HostileInstants);

    private static readonly string[] DatabaseCommands = ["migrate", "status", "refresh", "snapshot", "backfill-chatwoot"];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task An_app_schema_is_rejected_or_taken_as_a_name(string schema)
    {
        // snapshot reads only schema metrics: any valid name is fine there
        foreach (var command in DatabaseCommands)
            await AssertUnchangedAsync([command, "--connection", fixture.Database.ConnectionString, "--app-schema", schema, .. SnapshotOut(command)],
                command == "snapshot" ? [ExitCodes.UsageError, ExitCodes.Success] : [ExitCodes.UsageError, ExitCodes.AppTablesMissing]);
        // the URL's schema goes the same way (DatabaseTarget.TryParse) as --app-schema
        foreach (var command in new[] { "migrate", "refresh" })
            await AssertUnchangedAsync([command, "--connection", Url(fixture.Database, "?schema=" + Uri.EscapeDataString(schema))],
                [ExitCodes.UsageError, ExitCodes.AppTablesMissing]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    [InlineData("metrics_reader\n")]
    [InlineData("metrics_reader\0")]
    [InlineData("metrics_reader" + Drop)]
    public async Task A_reader_role_is_rejected(string role) =>
        await AssertUnchangedAsync(["migrate", "--connection", fixture.Database.ConnectionString, "--reader-role", role], [ExitCodes.UsageError]);

    [Theory]
    [MemberData(nameof(Instants))]
    public async Task An_as_of_or_backfill_date_is_rejected(string instant)
    {
        await AssertUnchangedAsync(["refresh", "--connection", fixture.Database.ConnectionString, "--as-of", instant], [ExitCodes.UsageError]);
        await AssertUnchangedAsync(["refresh", "--connection", fixture.Database.ConnectionString, "--backfill-from", instant], [ExitCodes.UsageError]);
        await AssertUnchangedAsync(["refresh", "--connection", fixture.Database.ConnectionString, "--as-of", instant, "--json"], [ExitCodes.UsageError]);
    }

    [Theory]
    [MemberData(nameof(UrlParts))]
    public async Task A_part_of_the_database_url_is_rejected_or_taken_as_data(string hostile)
    {
        var db = fixture.Database;
        var encoded = Uri.EscapeDataString(hostile);
        var (user, password) = (db.Server.AdminUser, Uri.EscapeDataString(db.Server.AdminPassword));
        foreach (var command in DatabaseCommands)
        {
            string[] options = [.. SnapshotOut(command), "--retries", "0"];
            if (command != "refresh")
                options = options[..^2];
            await AssertUnchangedAsync([command, "--connection", $"postgresql://{encoded}:{password}@{db.Server.Host}:{db.Server.Port}/{db.Name}", .. options],
                [ExitCodes.ConnectionFailed, ExitCodes.UsageError]);
            // an empty name is the user's default database, where the app tables or the views are missing
            await AssertUnchangedAsync([command, "--connection", $"postgresql://{user}:{password}@{db.Server.Host}:{db.Server.Port}/{encoded}", .. options],
                [ExitCodes.ConnectionFailed, ExitCodes.UsageError, ExitCodes.AppTablesMissing, ExitCodes.NotMigrated]);
        }
        // the parameters are read before any command connects: once is enough
        await AssertUnchangedAsync(["refresh", "--connection", $"postgresql://{user}:{password}@{db.Server.Host}:{db.Server.Port}/{db.Name}?{encoded}=1"],
            [ExitCodes.UsageError]);
        foreach (var parameter in new[] { "port", "sslmode", "connect_timeout" })
            await AssertUnchangedAsync(["refresh", "--connection", Url(db, $"?{parameter}={encoded}")], [ExitCodes.UsageError]);
        // a host name is looked up, not run (once: a lookup may wait for the resolver)
        await AssertUnchangedAsync(["status", "--connection", $"postgresql://{user}:{password}@{db.Server.Host}:{db.Server.Port}/{db.Name}?host={encoded}"],
            [ExitCodes.ConnectionFailed, ExitCodes.UsageError]);
        // the application name is sent to the server as data (status reads and succeeds), unless it is too long or holds a control character
        await AssertUnchangedAsync(["status", "--connection", Url(db, "?application_name=" + encoded)], [ExitCodes.Success, ExitCodes.UsageError]);
    }

    [Theory]
    [InlineData("x; rm -rf metrics-snapshot; `touch pwned` $(touch pwned) 'q' \"dq\"")]
    [InlineData("\u2024\u2024\u2215\u2024\u2024\u2215etc")] // one-dot leaders and division slashes: looks like two parent steps, is one plain name
    [InlineData("\u0440ublic\u200B")]
    public async Task A_snapshot_folder_is_taken_as_a_plain_path(string name)
    {
        var root = Directory.CreateTempSubdirectory("metrics-snapshot-").FullName;
        try
        {
            var folder = Path.Combine(root, name);
            var run = await AssertUnchangedAsync(["snapshot", "--connection", fixture.Database.ConnectionString, "--out", folder], [ExitCodes.Success]);
            Assert.True(File.Exists(Path.Combine(folder, "activation_current.tsv")), run.ToString());
            Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "pwned")));
            Assert.Equal(16, Directory.GetFiles(folder).Length);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("bad\0name")]
    [InlineData("/proc/no-such-folder/x")]
    [InlineData("/dev/null")]
    public async Task A_snapshot_folder_that_cannot_be_written_is_a_clear_error(string folder) =>
        await AssertUnchangedAsync(["snapshot", "--connection", fixture.Database.ConnectionString, "--out", folder], [ExitCodes.UsageError]);

    [Fact]
    public async Task A_snapshot_folder_with_a_very_long_name_is_a_clear_error() =>
        await AssertUnchangedAsync(["snapshot", "--connection", fixture.Database.ConnectionString, "--out", Path.Combine(Path.GetTempPath(), new string('x', 5000))],
            [ExitCodes.UsageError]);

    private static string[] SnapshotOut(string command) =>
        command == "snapshot" ? ["--out", Path.Combine(Path.GetTempPath(), "metrics-hostile-" + Guid.NewGuid().ToString("N"))] : [];

    private static string Url(MetricsDatabase db, string query) =>
        $"postgresql://{db.Server.AdminUser}:{Uri.EscapeDataString(db.Server.AdminPassword)}@{db.Server.Host}:{db.Server.Port}/{db.Name}{query}";

    /// <summary>Runs the command and checks its exit code, that a failure is one line starting "error:", and that the database did not change.</summary>
    private async Task<CliRun> AssertUnchangedAsync(string[] args, int[] expectedExitCodes)
    {
        await using var connection = await fixture.Database.OpenAsync();
        var before = await CatalogFingerprint.TakeAsync(connection);

        var run = await CliRun.RunAsync(args);

        var what = string.Join(' ', args.Select(a => a.Length > 80 ? a[..80] + "..." : a));
        Assert.True(expectedExitCodes.Contains(run.ExitCode), $"metrics {what}: expected exit {string.Join(" or ", expectedExitCodes)}\n{run}");
        if (run.ExitCode != ExitCodes.Success)
        {
            Assert.True(run.Error.StartsWith("error: ", StringComparison.Ordinal), $"metrics {what}:\n{run}");
            Assert.True(run.Error.TrimEnd('\n').Split('\n').Length <= 2 && run.Error.Length < 2000, $"metrics {what}: not a short error\n{run}");
        }
        Assert.Equal(before, await CatalogFingerprint.TakeAsync(connection));
        if (args.Contains("--out") && args[0] == "snapshot" && run.ExitCode == ExitCodes.Success)
        {
            var folder = args[Array.IndexOf(args, "--out") + 1];
            if (folder.Contains("metrics-hostile-"))
                Directory.Delete(folder, recursive: true);
        }
        return run;
    }
}
