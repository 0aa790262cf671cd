using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>The refresh's unit of work is the UTC day: what it parses, and what it leaves to the app.</summary>
public class Refresh_by_day
{
    [Fact]
    public async Task Parses_only_the_rows_of_the_days_that_changed_or_that_the_cutoff_passed()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        // one row on an old day (2025-10-06 holds 3 input rows: a's session, a's escalation row, the new row)
        await db.SessionOpenedAsync("z.myshopify.com", "2025-10-06T23:59:59");
        // and one at or after the cutoff: not parsed until the cutoff passes its day
        await db.SessionOpenedAsync("y.myshopify.com", "2025-10-12T00:00:00");

        await db.RefreshAsync(FixedDataSet.AsOf);
        var (mode, parsed) = (await db.QueryAsync<(string, int)>(
            "select refresh_mode, changed_rows from metrics.refresh_run order by refresh_run_id desc limit 1")).Single();
        await db.RefreshAsync("2025-10-13T02:00:00Z");
        var parsedNextDay = (await db.QueryAsync<int>("select changed_rows from metrics.refresh_run order by refresh_run_id desc limit 1")).Single();

        Assert.Equal("incremental", mode);
        Assert.Equal(2, parsed); // the sessions of 2025-10-06: a's and z's (only the session kind changed that day)
        Assert.Equal(1, parsedNextDay); // 2025-10-12 passed the cutoff: y's session, the day's only input row
        Assert.Equal(["z.myshopify.com", "y.myshopify.com"],
            await db.QueryAsync<string>("select shop_domain from metrics.shop_activation where shop_domain in ('y.myshopify.com', 'z.myshopify.com') order by cohort_day"));
    }

    [Fact]
    public async Task Lets_the_app_migrate_its_tables_and_counts_ids_above_2_to_the_31()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        await using var app = await db.OpenAsync();

        // what the app's Prisma migrations may run with the package installed: ids to BigInt, a
        // new column, a column we do not read dropped, another changed
        await app.ExecuteAsync("""
            alter table "DashboardFact" alter column id type bigint;
            alter table "DecisionLog" alter column id type bigint;
            alter sequence "DashboardFact_id_seq" as bigint;
            alter sequence "DecisionLog_id_seq" as bigint;
            alter table "DashboardFact" add column "source" text not null default 'app';
            alter table "DashboardFact" drop column "evidenceUrl";
            alter table "DecisionLog" drop column rationale;
            alter table "DecisionLog" alter column actor type varchar(320);
            select setval('"DashboardFact_id_seq"', 3000000000);
            select setval('"DecisionLog_id_seq"', 3000000000);
            """);
        // rows with ids above 2^31: a new shop's visit and its decision, a breach, a malformed element
        await db.DecisionAsync("big.myshopify.com", "chatwoot.reply.thanks", "2025-10-10T09:00:00", "chatwoot:4242");
        // the escalation row is the second: the greater id
        var escalation = (await app.QueryAsync<long>(
            """
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt")
            values ('big.myshopify.com', 'dashboard.session.opened', 'ops', '{}', '2025-10-10T08:00:00', '2025-10-10T08:00:00'),
                   ('big.myshopify.com', 'chatwoot.escalations', 'ops',
                    '[{"id": 4242, "slaBreached": true, "breachedAt": "2025-10-10T08:30:00Z"}, {"id": "x", "slaBreached": true, "breachedAt": "2025-10-10T08:30:00Z"}]',
                    '2025-10-10T08:35:00', '2025-10-10T08:35:00')
            returning id
            """)).Max();
        await db.RefreshAsync(FixedDataSet.AsOf, app);
        var incremental = await MetricsResults.ReadAsync(app);
        Assert.Equal(await MetricsResults.ReadFullRebuildAsync(app, FixedDataSet.AsOf), incremental);

        Assert.True(escalation > 3000000000L);
        Assert.Equal(5, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
        Assert.Equal([escalation], await db.QueryAsync<long>(
            "select source_id from metrics.data_quality_issue where shop_domain = 'big.myshopify.com'"));
        Assert.Equal(["chatwoot.reply.thanks"], await db.QueryAsync<string>(
            "select first_action from metrics.sla_breach where shop_domain = 'big.myshopify.com'"));
        await db.RefreshAsync("2025-10-13T02:00:00Z");
        Assert.All(await db.QueryAsync<long>("select fact_id from metrics_staging.written_fact where window_end = '2025-10-13Z'"), id => Assert.True(id > 3000000000L));
    }

    [Fact]
    public async Task Stops_by_name_when_the_app_drops_a_column_the_metrics_read()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        await using var app = await db.OpenAsync();
        await app.ExecuteAsync("""alter table "DecisionLog" drop column "externalRef" """);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", "2025-10-13T02:00:00Z"]);

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("metrics.refresh: the app table column(s) \"DecisionLog\".\"externalRef\" no longer exist; the metrics package reads them", run.Error);
        Assert.Contains("docs/runbook.md, \"The app changed its tables\"", run.Error);
        Assert.Equal([1], await db.QueryAsync<int>("select count(*)::int from metrics.refresh_run"));
    }

    [Fact]
    public async Task Counts_rows_dated_minus_infinity_and_checks_their_day()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await using var app = await db.OpenAsync();
        // valid in a timestamp(3) column: a shop whose first visit is dated -infinity
        await app.ExecuteAsync("""
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt")
            values ('ancient.myshopify.com', 'dashboard.session.opened', 'ops', '{}', '-infinity', '-infinity')
            """);
        await db.RefreshAsync(FixedDataSet.AsOf, app);
        // another, behind the triggers' back, then one the triggers see
        await app.ExecuteAsync("""
            set session_replication_role = replica;
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt")
            values ('ancient2.myshopify.com', 'dashboard.session.opened', 'ops', '{}', '-infinity', '-infinity');
            reset session_replication_role;
            """);
        await db.RefreshAsync(FixedDataSet.AsOf, app);
        var repaired = await app.ExecuteScalarAsync<string>("select repaired_days::text from metrics.refresh_run order by refresh_run_id desc limit 1");
        await db.DecisionAsync("ancient3.myshopify.com", "approve_send", "-infinity");
        await db.RefreshAsync(FixedDataSet.AsOf, app);
        var incremental = await MetricsResults.ReadAsync(app);
        Assert.Equal(await MetricsResults.ReadFullRebuildAsync(app, FixedDataSet.AsOf), incremental);

        Assert.Equal("""[{"day": "-infinity", "inputKind": "session"}]""", repaired);
        Assert.Equal(["ancient.myshopify.com", "ancient2.myshopify.com"], await db.QueryAsync<string>(
            "select shop_domain from metrics.shop_activation where first_session_at = '-infinity' order by shop_domain"));
    }

    [Fact]
    public async Task Parses_every_day_again_when_the_partials_have_no_day_signatures()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        // what a refresh of the version before the day check leaves when it runs between
        // migration 0012 and the new procedure: partials and parse_state, no signatures
        await db.Server.ExecuteAsync(db.Name, "truncate metrics_staging.day_signature");

        await db.RefreshAsync(FixedDataSet.AsOf);
        await db.RefreshAsync(FixedDataSet.AsOf);

        Assert.Equal(["incremental", "full"], await db.QueryAsync<string>(
            "select refresh_mode from metrics.refresh_run order by refresh_run_id desc limit 2"));
        Assert.Equal(["[]"], await db.QueryAsync<string>("select repaired_days::text from metrics.refresh_run order by refresh_run_id desc limit 1"));
    }
}
