using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>A <see cref="FactAttribute"/> skipped, with the reason, where the tests cannot start a PostgreSQL server of their own.</summary>
public sealed class OwnServerFactAttribute : FactAttribute
{
    public OwnServerFactAttribute()
    {
        if (ServerChoice.Current.Kind != ServerKind.LocalBinaries)
            Skip = $"the test server is {ServerChoice.Current.Description}: restarting it would disturb the other tests, and no local binaries start one of its own.";
    }
}

/// <summary>
/// Faults below the runner: the server restarting during a refresh, a write that fails (disk
/// full), and an app transaction that commits while a refresh runs.
/// </summary>
[Trait(ReliabilityRun.Trait, ReliabilityRun.Category)]
public class Server_faults
{
    private const string FirstAsOf = "2025-09-30T02:00:00Z";
    private const string SecondAsOf = "2025-10-06T02:00:00Z";

    [OwnServerFact]
    public async Task A_server_restart_during_a_refresh_is_retried_and_nothing_is_half_written()
    {
        var server = await LocalPostgres.StartAsync();
        try
        {
            var connection = await RefreshedShopAsync(server, seed: 3);
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            await db.ExecuteAsync(FaultSetup.SlowFactWrites("refresh-slow", 1));
            await db.CloseAsync();

            var slow = new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "refresh-slow" }.ConnectionString;
            var refresh = CliRun.RunAsync(["refresh", "--connection", slow, "--as-of", SecondAsOf, "--retries", "3"]);
            await FaultSetup.WaitUntilSleepingAsync(connection, "refresh-slow");
            server.Restart();
            var run = await refresh;

            Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
            Assert.Contains("retry 1 of 3", run.Error);
            await db.OpenAsync();
            Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from metrics.refresh_run"));
            await FaultSetup.AssertNoHalfWrittenFactSetAsync(connection);
            Assert.Equal(6, await db.ExecuteScalarAsync<int>("""select count(*) from "DashboardFact" where "shopDomain" = '__aggregate__'"""));
            ReliabilityRun.Figure("fault", ("kind", "server-restart"), ("trials", 1));
        }
        finally
        {
            server.Stop();
        }
    }

    [OwnServerFact]
    public async Task A_crash_empties_the_partials_and_the_next_refresh_parses_every_day_again()
    {
        var server = await LocalPostgres.StartAsync();
        try
        {
            var connection = await RefreshedShopAsync(server, seed: 6);
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["refresh", "--connection", connection, "--as-of", SecondAsOf])).ExitCode);
            var before = await MetricsResults.ReadAsync(db);
            // the test server runs with synchronous_commit off: make the refreshes durable first
            await db.ExecuteAsync("checkpoint", commandType: System.Data.CommandType.Text);
            await db.CloseAsync();

            server.CrashAndRestart();

            await db.OpenAsync();
            const string ParsedRows = """
                select (select count(*) from metrics_staging.parse_state)
                     + (select count(*) from metrics_staging.session_day) + (select count(*) from metrics_staging.decision_day)
                     + (select count(*) from metrics_staging.breach_day) + (select count(*) from metrics_staging.anomaly_day)
                """;
            Assert.Equal(0, await db.ExecuteScalarAsync<long>(ParsedRows));
            Assert.Equal(before, await MetricsResults.ReadAsync(db));

            Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["refresh", "--connection", connection, "--as-of", SecondAsOf])).ExitCode);

            Assert.Equal("full", await db.ExecuteScalarAsync<string>("select refresh_mode from metrics.refresh_run order by refresh_run_id desc limit 1"));
            Assert.NotEqual(0, await db.ExecuteScalarAsync<long>(ParsedRows));
            Assert.Equal(before, await MetricsResults.ReadAsync(db));
            Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["refresh", "--connection", connection, "--as-of", SecondAsOf])).ExitCode);
            Assert.Equal("incremental", await db.ExecuteScalarAsync<string>("select refresh_mode from metrics.refresh_run order by refresh_run_id desc limit 1"));
            ReliabilityRun.Figure("fault", ("kind", "server-crash"), ("trials", 1));
        }
        finally
        {
            server.Stop();
        }
    }

    /// <summary>
    /// On a server of the test's own: database shop with the app tables, migrated, fuzzed app
    /// rows of <paramref name="seed"/>, refreshed as of <see cref="FirstAsOf"/>. Returns its
    /// connection string (no pooling: the server goes down under it).
    /// </summary>
    private static async Task<string> RefreshedShopAsync(LocalPostgres server, int seed)
    {
        var admin = server.AdminConnection;
        await using (var postgres = new NpgsqlConnection(admin.ConnectionString))
            await postgres.ExecuteAsync("create database shop");
        var connection = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = "shop", Pooling = false }.ConnectionString;
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await db.ExecuteAsync(await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["migrate", "--connection", connection])).ExitCode);
        await new FuzzedAppData(seed, rows: 300, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(db);
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["refresh", "--connection", connection, "--as-of", FirstAsOf])).ExitCode);
        return connection;
    }

    [Fact]
    public async Task A_failing_write_fails_the_refresh_cleanly_and_keeps_the_previous_state()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        await new FuzzedAppData(seed: 4, rows: 300, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(connection);
        await db.RefreshAsync(FirstAsOf, connection);
        var before = await MetricsResults.ReadAsync(connection) + await RunsAsync(connection);
        await connection.ExecuteAsync(
            """
            create function public.disk_full() returns trigger language plpgsql as $$
            begin
                raise exception 'could not extend file "base/1/2": No space left on device' using errcode = 'disk_full';
            end $$;
            create trigger disk_full before insert or update on "DashboardFact"
                for each row when (new."shopDomain" = '__aggregate__') execute function public.disk_full();
            """);

        var failed = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", SecondAsOf]);

        Assert.True(failed.ExitCode == ExitCodes.UnexpectedError, failed.ToString());
        // the stages that finished before the failing write printed their progress lines first
        Assert.Matches(@"^(.* in \d+(\.\d)? m?s\n)*error: database error on .*No space left on device.* \(SQLSTATE 53100\)\. Rerun with --verbose for details\.\n$", failed.Error.ReplaceLineEndings("\n"));
        Assert.Equal(before, await MetricsResults.ReadAsync(connection) + await RunsAsync(connection));

        await connection.ExecuteAsync("""drop trigger disk_full on "DashboardFact" """);
        var next = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", SecondAsOf]);
        Assert.True(next.ExitCode == ExitCodes.Success, next.ToString());
        ReliabilityRun.Figure("fault", ("kind", "failing-write"), ("trials", 1));
    }

    [Fact]
    public async Task Rows_committed_while_a_refresh_runs_are_counted_once_by_the_next_refresh()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var app = await db.OpenAsync();
        await new FuzzedAppData(seed: 5, rows: 300, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(app);
        await db.RefreshAsync(SecondAsOf, app);
        await app.ExecuteAsync(FaultSetup.SlowFactWrites("refresh-slow", 0.3));
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            await using (var transaction = await app.BeginTransactionAsync())
            {
                // created before the cutoff, inside the window; one of each input kind the refresh reads
                await app.ExecuteAsync(
                    """
                    insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt") values
                        (@shop, 'dashboard.session.opened', 'ops', '{}', null, '2025-10-02T10:00:00', '2025-10-02T10:00:00'),
                        (@shop, 'chatwoot.escalations', 'ops', '[{"id": 900, "slaBreached": true, "breachedAt": "2025-10-02T10:00:00Z"}]', null, '2025-10-02T10:05:00', '2025-10-02T10:05:00'),
                        (@shop, 'ga.sessions.anomalies', 'ops', '[{"landingPage": "/late", "isAnomaly": true}]', null, '2025-10-02T10:05:00', '2025-10-02T10:05:00');
                    insert into "DecisionLog" (scope, actor, action, "shopDomain", "externalRef", "createdAt")
                    values ('ops', 'operator@example.com', 'chatwoot.reply.t1', @shop, 'chatwoot:900', '2025-10-03T10:00:00')
                    """, new { shop = $"late-{trial}.myshopify.com" }, transaction);
                var slow = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "refresh-slow" }.ConnectionString;
                var refresh = CliRun.RunAsync(["refresh", "--connection", slow, "--as-of", SecondAsOf]);
                await FaultSetup.WaitUntilSleepingAsync(db.ConnectionString, "refresh-slow");
                await transaction.CommitAsync();
                Assert.Equal(ExitCodes.Success, (await refresh).ExitCode);
            }
            Assert.Empty(await db.QueryAsync<string>("select shop_domain from metrics.shop_activation where shop_domain = @shop", new { shop = $"late-{trial}.myshopify.com" }));

            await db.RefreshAsync(SecondAsOf, app);

            var incremental = await MetricsResults.ReadAsync(app);
            var full = await MetricsResults.ReadFullRebuildAsync(app, SecondAsOf);
            Assert.True(full == incremental, $"trial {trial}: the late rows are not counted once\n{LineDiff.Describe(full, incremental)}");
        }
        var lost = ReliabilityRun.FaultTrials - await app.ExecuteScalarAsync<int>(
            "select count(*) from metrics.sla_breach where conversation_id = 900 and first_action_at is not null and shop_domain like 'late-%'");
        Assert.Equal(0, lost);
        ReliabilityRun.Figure("fault", ("kind", "late-commit"), ("trials", ReliabilityRun.FaultTrials), ("lost", lost));
    }

    private static async Task<string> RunsAsync(NpgsqlConnection connection) =>
        string.Join('\n', await connection.QueryAsync<string>("select refresh_run_id || ' ' || window_end from metrics.refresh_run order by 1"));
}
