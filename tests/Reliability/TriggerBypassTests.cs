using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>A <see cref="FactAttribute"/> skipped, with the reason, where a PostgreSQL client program is not installed.</summary>
public sealed class ClientToolFactAttribute : FactAttribute
{
    /// <param name="notOlderThanTheServer">pg_dump and pg_restore refuse a server of a newer major version.</param>
    public ClientToolFactAttribute(string program, bool notOlderThanTheServer = false)
    {
        if (ClientTools.SkipReason(program, notOlderThanTheServer) is { } reason)
            Skip = reason;
    }
}

/// <summary>A <see cref="FactAttribute"/> skipped, with the reason, where the test server cannot subscribe to one of its own databases.</summary>
public sealed class LogicalReplicationFactAttribute : FactAttribute
{
    public LogicalReplicationFactAttribute()
    {
        if (ServerChoice.Current.Kind != ServerKind.LocalBinaries)
            Skip = $"the test server is {ServerChoice.Current.Description}: only the throwaway local server runs with wal_level=logical and can reach itself at the tests' address.";
    }
}

/// <summary>
/// Every way a write can reach the app tables without the statement triggers logging it
/// (docs/reliability.md, "Every way a write reaches the app tables"): the next refresh finds the
/// days whose row count or ids changed, parses them again and reports them, and then every view
/// and fact equals a full rebuild. And two write paths the triggers do log: COPY and TRUNCATE.
/// </summary>
[Trait(ReliabilityRun.Trait, ReliabilityRun.Category)]
public class Writes_the_triggers_do_not_see
{
    private static readonly DateTime Start = new(2025, 9, 22);

    [Fact]
    public async Task A_delete_under_session_replication_role_replica_is_repaired_by_the_next_refresh()
    {
        var (db, data) = await RefreshedFuzzedDatabaseAsync(seed: 41);
        await using var _ = db;
        await using var connection = await db.OpenAsync();
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            // the shop with the most escalation rows left, and its decisions of one day
            await connection.ExecuteAsync(
                """
                set session_replication_role = replica;
                with shop as (
                    select "shopDomain" from "DashboardFact"
                    where "factType" = 'chatwoot.escalations' and "createdAt" < @cutoff::timestamptz
                    group by "shopDomain" order by count(*) desc, "shopDomain" limit 1
                ),
                facts as (
                    delete from "DashboardFact" where "factType" = 'chatwoot.escalations' and "shopDomain" in (select "shopDomain" from shop)
                )
                delete from "DecisionLog" where id in (select min(id) from "DecisionLog" where scope = 'ops' and "shopDomain" in (select "shopDomain" from shop));
                reset session_replication_role;
                """, new { cutoff = data.AsOf });
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from metrics_staging.changed_day"));

            var repaired = await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf);

            Assert.Contains("\"inputKind\": \"escalation\"", repaired);
            Assert.Contains("\"inputKind\": \"decision\"", repaired);
        }
        ReliabilityRun.Figure("fault", ("kind", "replica-role-write"), ("trials", ReliabilityRun.FaultTrials));
    }

    [Fact]
    public async Task Writes_with_the_triggers_disabled_are_repaired_and_status_names_the_triggers()
    {
        var (db, data) = await RefreshedFuzzedDatabaseAsync(seed: 42);
        await using var _ = db;
        await using var connection = await db.OpenAsync();
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            await connection.ExecuteAsync("""alter table "DashboardFact" disable trigger user; alter table "DecisionLog" disable trigger user""");
            var disabled = await CliRun.RunAsync(["status", "--connection", db.ConnectionString]);
            // a new shop's visit on an old day, a decision moved to another day, an anomaly row gone
            await connection.ExecuteAsync(
                """
                insert into "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt")
                values ('disabled-' || @trial || '.myshopify.com', 'dashboard.session.opened', 'ops', '{}', @day::timestamp, @day::timestamp);
                update "DecisionLog" set "createdAt" = "createdAt" - interval '2 days'
                where id = (select min(id) from "DecisionLog" where scope = 'ops' and "createdAt" >= @day::timestamp);
                delete from "DashboardFact" where id = (select max(id) from "DashboardFact" where "factType" = 'ga.sessions.anomalies');
                """, new { trial, day = Start.AddDays(3 + trial) });

            var repaired = await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf);
            await connection.ExecuteAsync("""alter table "DashboardFact" enable trigger user; alter table "DecisionLog" enable trigger user""");
            var enabled = await CliRun.RunAsync(["status", "--connection", db.ConnectionString]);

            Assert.True(disabled.ExitCode == ExitCodes.TriggersNotFiring, disabled.ToString());
            Assert.Contains("triggers:     8 of 8 not firing", disabled.Output);
            Assert.Contains("metrics_decision_inserted on \"DecisionLog\" disabled", disabled.Output);
            Assert.Contains("Writes the triggers did not see", disabled.Error);
            Assert.Contains("\"inputKind\": \"session\"", repaired);
            Assert.Contains("\"inputKind\": \"decision\"", repaired);
            Assert.True(enabled.ExitCode == ExitCodes.Success, enabled.ToString());
            Assert.Contains("triggers:     all 8 enabled", enabled.Output);
        }
        ReliabilityRun.Figure("fault", ("kind", "disabled-triggers"), ("trials", ReliabilityRun.FaultTrials));
    }

    [ClientToolFact("pg_dump", notOlderThanTheServer: true)]
    public async Task Rows_restored_by_pg_restore_with_disable_triggers_are_repaired()
    {
        var (db, data) = await RefreshedFuzzedDatabaseAsync(seed: 43);
        await using var _ = db;
        var source = await db.Server.CreateDatabaseAsync();
        var dump = Path.Combine(Path.GetTempPath(), $"metrics-restore-{Guid.NewGuid():N}.dump");
        try
        {
            // rows of another copy of the app (ids far above ours): old days, an existing shop and a new one
            var day = Start.AddDays(4).ToString("yyyy-MM-dd");
            var nextDay = Start.AddDays(5).ToString("yyyy-MM-dd");
            await db.Server.ExecuteAsync(source,
                $$"""
                insert into "DashboardFact" (id, "shopDomain", "factType", scope, value, "createdAt", "updatedAt") values
                    (900000001, 'restored.myshopify.com', 'dashboard.session.opened', 'ops', '{}', '{{day}}T09:00:00', '{{day}}T09:00:00'),
                    (900000002, 'restored.myshopify.com', 'chatwoot.escalations', 'ops',
                     '[{"id": 777, "slaBreached": true, "breachedAt": "{{day}}T10:00:00Z"}]', '{{day}}T10:05:00', '{{day}}T10:05:00');
                insert into "DecisionLog" (id, scope, actor, action, "shopDomain", "externalRef", "createdAt") values
                    (900000001, 'ops', 'operator@example.com', 'chatwoot.reply.thanks', 'restored.myshopify.com', 'chatwoot:777', '{{day}}T11:00:00'),
                    (900000002, 'ops', 'operator@example.com', 'approve_send', 'restored.myshopify.com', null, '{{nextDay}}T11:00:00');
                """);
            var dumped = await ProcessRun.RunAsync(ClientTools.Find("pg_dump")!,
                ["--format=custom", "--data-only", "--table=\"DashboardFact\"", "--table=\"DecisionLog\"", "--file", dump, "--dbname", ClientTools.ConnectionUri(db.Server, source)],
                TimeSpan.FromMinutes(2));
            Assert.True(dumped.ExitCode == 0, dumped.ToString());
            var restored = await ProcessRun.RunAsync(ClientTools.Find("pg_restore")!,
                ["--data-only", "--disable-triggers", "--dbname", ClientTools.ConnectionUri(db.Server, db.Name), dump],
                TimeSpan.FromMinutes(2));
            Assert.True(restored.ExitCode == 0, restored.ToString());
            await using var connection = await db.OpenAsync();
            Assert.Equal(2, await connection.ExecuteScalarAsync<int>("""select count(*) from "DecisionLog" where "shopDomain" = 'restored.myshopify.com'"""));
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from metrics_staging.changed_day"));

            var repaired = await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf);

            Assert.Contains("\"inputKind\": \"escalation\"", repaired);
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
                "select count(*) from metrics.sla_breach where shop_domain = 'restored.myshopify.com' and conversation_id = 777 and first_action = 'chatwoot.reply.thanks'"));
            ReliabilityRun.Figure("fault", ("kind", "pg-restore-disable-triggers"), ("trials", 1));
        }
        finally
        {
            File.Delete(dump);
            await db.Server.DropDatabaseAsync(source);
        }
    }

    [LogicalReplicationFact]
    public async Task Rows_applied_by_a_logical_replication_subscriber_are_repaired_by_every_refresh()
    {
        await using var subscriber = await MetricsDatabase.CreateAsync();
        var publisher = await subscriber.Server.CreateDatabaseAsync();
        var name = "metrics_" + Guid.NewGuid().ToString("N")[..12];
        var data = new FuzzedAppData(seed: 44, ReliabilityRun.RowsPerSeed, bigArrayBytes: 1000, Start);
        await using var connection = await subscriber.OpenAsync();
        await using var source = new NpgsqlConnection(subscriber.Server.ConnectionString(publisher));
        await source.OpenAsync();
        try
        {
            await source.ExecuteAsync($"""create publication {name} for table "DashboardFact", "DecisionLog" """);
            await source.ExecuteAsync("select pg_create_logical_replication_slot(@name, 'pgoutput')", new { name });
            // the subscriber's own facts take ids far from the publisher's rows
            await connection.ExecuteAsync("""select setval(pg_get_serial_sequence('"DashboardFact"', 'id'), 1000000000)""");
            await connection.ExecuteAsync(
                $"create subscription {name} connection '{ClientTools.ConnectionUri(subscriber.Server, publisher)}' publication {name} with (create_slot = false, slot_name = '{name}')");
            await connection.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf = data.AsOf });
            // the initial table synchronization done (it loads like a COPY, which ALWAYS triggers would see)
            for (var deadline = DateTime.UtcNow.AddSeconds(60);
                 await connection.ExecuteScalarAsync<int>("select count(*) from pg_subscription_rel where srsubstate <> 'r'") > 0;
                 await Task.Delay(200))
                Assert.True(DateTime.UtcNow < deadline, "the subscription's initial synchronization did not finish within 60 s");

            // PostgreSQL's apply fires row triggers only: no statement trigger logs these rows, in any state
            foreach (var statement in await connection.QueryAsync<string>(
                         "select format('alter table %s enable always trigger %I', app_table, trigger_name) from metrics_staging.change_trigger()"))
                await connection.ExecuteAsync(statement);
            await data.WriteAllAsync(source);
            await WaitForReplicationAsync(source, connection);
            var loggedInserts = await connection.ExecuteScalarAsync<int>("select count(*) from metrics_staging.changed_day");
            // partials without day signatures (the first refresh saw no rows): parsed whole once
            var first = await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf);
            await source.ExecuteAsync(
                """
                delete from "DashboardFact" where "factType" = 'chatwoot.escalations' and "shopDomain" = (
                    select "shopDomain" from "DashboardFact" where "factType" = 'chatwoot.escalations' group by 1 order by count(*) desc, 1 limit 1)
                """);
            await WaitForReplicationAsync(source, connection);
            var repaired = await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf);
            var status = await CliRun.RunAsync(["status", "--connection", subscriber.ConnectionString]);
            await source.ExecuteAsync("""delete from "DecisionLog" where id in (select id from "DecisionLog" where scope = 'ops' order by id limit 5)""");
            await WaitForReplicationAsync(source, connection);
            var repairedAfterDelete = await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf);

            Assert.Equal(0, loggedInserts);
            Assert.Equal("NULL (full)", first);
            Assert.Contains("\"inputKind\": \"escalation\"", repaired);
            Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
            Assert.Contains("note: this database subscribes to logical replication (1 subscription(s))", status.Output);
            Assert.Contains("\"inputKind\": \"decision\"", repairedAfterDelete);
            ReliabilityRun.Figure("fault", ("kind", "logical-replication-apply"), ("trials", 2));
        }
        finally
        {
            await connection.ExecuteAsync($"drop subscription if exists {name}");
            // a slot the subscription never took over (its creation failed) would hold the publisher database
            await source.ExecuteAsync("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = @name", new { name });
            await source.CloseAsync();
            await subscriber.Server.DropDatabaseAsync(publisher);
        }
    }

    [Fact]
    public async Task Rows_copied_in_by_COPY_are_logged_by_the_triggers()
    {
        var (db, data) = await RefreshedFuzzedDatabaseAsync(seed: 45);
        await using var _ = db;
        await using var connection = await db.OpenAsync();
        await using (var copy = await connection.BeginTextImportAsync(
                         """copy "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt") from stdin"""))
            await copy.WriteAsync($"copied.myshopify.com\tdashboard.session.opened\tops\t{{}}\t{Start.AddDays(5):yyyy-MM-dd} 08:00:00\t{Start.AddDays(5):yyyy-MM-dd} 08:00:00\n");
        await connection.ExecuteAsync("""truncate "DecisionLog" """);

        Assert.Equal(["decision ", "session " + Start.AddDays(5).ToString("yyyy-MM-dd")],
            await connection.QueryAsync<string>("select input_kind || ' ' || coalesce(day::text, '') from metrics_staging.changed_day order by 1"));
        Assert.Equal("[]", await AssertNextRefreshEqualsFullRebuildAsync(connection, data.AsOf));
    }

    /// <summary>A database with fuzzed app rows from <see cref="Start"/> on, refreshed as of the data's as-of.</summary>
    private static async Task<(MetricsDatabase Db, FuzzedAppData Data)> RefreshedFuzzedDatabaseAsync(int seed)
    {
        var db = await MetricsDatabase.CreateAsync();
        var data = new FuzzedAppData(seed, ReliabilityRun.RowsPerSeed, bigArrayBytes: 1000, Start);
        await using var connection = await db.OpenAsync();
        await data.WriteAllAsync(connection);
        await db.RefreshAsync(data.AsOf, connection);
        return (db, data);
    }

    /// <summary>
    /// Refreshes as of <paramref name="asOf"/>, compares every view and fact with a full rebuild
    /// (rolled back), and returns what the refresh reported as repaired (refresh_run.repaired_days).
    /// </summary>
    private static async Task<string> AssertNextRefreshEqualsFullRebuildAsync(NpgsqlConnection connection, string asOf)
    {
        await connection.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf });
        var repaired = await connection.ExecuteScalarAsync<string>(
            "select coalesce(repaired_days::text, 'NULL (' || refresh_mode || ')') from metrics.refresh_run order by refresh_run_id desc limit 1");
        var incremental = await MetricsResults.ReadAsync(connection);
        var full = await MetricsResults.ReadFullRebuildAsync(connection, asOf);
        Assert.True(full == incremental, $"repaired {repaired}\n{LineDiff.Describe(full, incremental)}");
        return repaired!;
    }

    /// <summary>Waits until the subscriber holds as many rows of each app table as the publisher.</summary>
    private static async Task WaitForReplicationAsync(NpgsqlConnection publisher, NpgsqlConnection subscriber)
    {
        const string counts = """select (select count(*) from "DashboardFact" where "shopDomain" <> '__aggregate__') || '/' || (select count(*) from "DecisionLog")""";
        var wanted = await publisher.ExecuteScalarAsync<string>(counts);
        var seen = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
            if ((seen = (await subscriber.ExecuteScalarAsync<string>(counts))!) == wanted)
                return;
        Assert.Fail($"the subscriber has {seen} rows, the publisher {wanted}, after 60 s");
    }
}
