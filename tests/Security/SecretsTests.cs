using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Security;

/// <summary>
/// A password with a distinctive value never shows in anything a command prints: stdout, stderr,
/// the --json result, --verbose stack traces and DbUp's --verbose log, on the error paths and the
/// good ones, with the password given in a keyword string, a URL or DATABASE_URL.
/// </summary>
public class Secrets
{
    /// <summary>Holds every character a URL or keyword string treats specially.</summary>
    private const string Password = "Zq7x@Kv9w/Tr3ss;=?#'%";

    /// <summary>The password, its URL encoding and pieces of it (matched ignoring case: Npgsql lower-cases keywords).</summary>
    private static readonly string[] Leaks = [Password, Uri.EscapeDataString(Password), "Zq7x", "Kv9w", "Tr3ss"];

    private static readonly string[] Commands = ["migrate", "status", "refresh", "snapshot", "backfill-chatwoot"];

    [Fact]
    public async Task Never_appear_in_any_output_of_any_command()
    {
        var server = await PostgresServer.Instance;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (outsider, owner) = ("outsider_" + suffix, "owner_" + suffix);
        await using var migrated = await MetricsDatabase.CreateAsync();
        var ownDatabase = await server.CreateDatabaseAsync(template: null);
        var brokenDatabase = await server.CreateDatabaseAsync(template: null);
        using var brokenScripts = new ScriptFolder().Migration("0001_create_broken_view.sql", "create view broken as select no_such_column;");
        var snapshotFolder = Directory.CreateTempSubdirectory("metrics-snapshot-").FullName;
        var runs = new List<(string What, CliRun Run, bool Succeeds)>();
        try
        {
            await server.ExecuteAsync("postgres",
                $"create role {outsider} login password {Quote(Password)}; create role {owner} login createrole password {Quote(Password)}");
            foreach (var database in new[] { ownDatabase, brokenDatabase })
                await server.ExecuteAsync("postgres", $"alter database {database} owner to {owner}");
            foreach (var database in new[] { ownDatabase, brokenDatabase })
            {
                await using var app = new NpgsqlConnection(server.ConnectionString(database, owner, Password));
                await app.OpenAsync();
                await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")), app);
                await command.ExecuteNonQueryAsync();
            }

            var closedPort = ClosedPort.Find();
            var connections = new (string What, string Connection)[]
            {
                ("wrong password, URL", Url(server, server.AdminUser, migrated.Name)),
                ("wrong password, keywords", server.ConnectionString(migrated.Name, server.AdminUser, Password)),
                ("unreachable host", $"postgresql://{owner}:{Uri.EscapeDataString(Password)}@127.0.0.1:{closedPort}/shop"),
                ("missing database", Url(server, owner, "no_such_database_" + suffix)),
                ("no privileges", Url(server, outsider, migrated.Name)),
                ("no privileges, keywords", server.ConnectionString(migrated.Name, outsider, Password)),
                ("password with an unquoted ';'", $"Host={server.Host};Port={server.Port};Username={owner};Password=Zq7x@Kv9w;Tr3ss=1;Database={ownDatabase}"),
                ("bad URL parameter", Url(server, owner, ownDatabase) + "?search_path=x"),
                ("bad sslmode", Url(server, owner, ownDatabase) + "?sslmode=maybe"),
                ("bad port", $"postgresql://{owner}:{Uri.EscapeDataString(Password)}@{server.Host}:99999/{ownDatabase}"),
                ("unencoded password", $"postgresql://{owner}:{Password}@{server.Host}:{server.Port}/no_such_database_{suffix}"),
                ("bad app schema", Url(server, owner, ownDatabase) + "?schema=a%22b"),
            };
            foreach (var (what, connection) in connections)
            {
                foreach (var command in Commands)
                {
                    string[] extra = command == "refresh" ? ["--json", "--retries", "1"] : [];
                    runs.Add(($"{command}, {what}", await CliRun.RunAsync([command, "--connection", connection, "--verbose", .. extra]), false));
                }
            }
            var url = Url(server, owner, ownDatabase);
            foreach (var command in Commands)
                runs.Add(($"{command}, URL in DATABASE_URL, wrong password", await CliRun.RunAsync(
                    [command, "--verbose"], new Dictionary<string, string> { ["DATABASE_URL"] = Url(server, server.AdminUser, migrated.Name) }), false));

            string[][] badOptions =
            [
                ["migrate", "--lock-timeout", "-1"], ["migrate", "--reader-role", "Bad Role"], ["migrate", "--scripts", "/nonexistent-" + suffix],
                ["status", "--max-age", "0"], ["refresh", "--as-of", "yesterday", "--json"], ["refresh", "--backfill-from", "18.11.2026", "--json"],
                ["refresh", "--as-of", "2099-01-01", "--json"], ["refresh", "--statement-timeout", "-1"], ["backfill-chatwoot", "--bogus"],
                ["snapshot", "--out", "/proc/metrics-" + suffix],
            ];
            foreach (var args in badOptions)
                runs.Add((string.Join(' ', args), await CliRun.RunAsync([.. args, "--connection", url, "--verbose"]), false));

            // the good paths, as the owner: DbUp's log, the --json result, the snapshot files
            string[][] good =
            [
                ["migrate", "--verbose"], ["status", "--verbose"], ["refresh", "--json", "--verbose"],
                ["backfill-chatwoot", "--verbose"], ["snapshot", "--out", snapshotFolder, "--verbose"],
            ];
            foreach (var args in good)
            {
                var run = await CliRun.RunAsync([.. args, "--connection", url], clock: TimeProvider.System);
                Assert.True(run.ExitCode == ExitCodes.Success, $"{string.Join(' ', args)}: {run}");
                runs.Add((string.Join(' ', args), run, true));
            }
            var broken = await CliRun.RunAsync(["migrate", "--verbose", "--scripts", brokenScripts.Path, "--connection", Url(server, owner, brokenDatabase)]);
            Assert.Contains("dbup:", broken.Error);
            runs.Add(("migrate --verbose, a failing script", broken, false));
            var snapshots = string.Concat(Directory.GetFiles(snapshotFolder).Select(File.ReadAllText));

            Assert.All(runs.Where(r => !r.Succeeds), r => Assert.True(r.Run.ExitCode != ExitCodes.Success, $"{r.What} should fail: {r.Run}"));
            Assert.Contains(runs, r => r.Run.ExitCode == ExitCodes.ConnectionFailed && r.Run.Error.Contains("authentication failed"));
            Assert.Contains(runs, r => r.Run.Error.Contains("   at ")); // --verbose stack traces were printed
            Assert.Contains(runs, r => r.Run.Output.Contains("\"error\""));  // and failed --json results
            var leaks = runs.Select(r => (r.What, Text: r.Run.Output + r.Run.Error)).Append((What: "snapshot files", Text: snapshots))
                .SelectMany(r => Leaks.Where(leak => r.Text.Contains(leak, StringComparison.OrdinalIgnoreCase)).Select(leak => $"{r.What}: shows '{leak}'\n{r.Text}"))
                .ToList();
            Assert.True(leaks.Count == 0, string.Join("\n\n", leaks));
        }
        finally
        {
            Directory.Delete(snapshotFolder, recursive: true);
            await server.DropDatabaseAsync(ownDatabase);
            await server.DropDatabaseAsync(brokenDatabase);
            await server.DropRoleAsync(outsider);
            await server.DropRoleAsync(owner);
        }
    }

    private static string Url(PostgresServer server, string user, string database) =>
        $"postgresql://{user}:{Uri.EscapeDataString(Password)}@{Uri.EscapeDataString(server.Host)}:{server.Port}/{database}";

    private static string Quote(string literal) => "'" + literal.Replace("'", "''") + "'";
}
