using System.Text.Json.Nodes;
using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>
/// The aggregate facts the package owns (metrics_staging.written_fact): one per (factType,
/// windowEnd), whatever another writer (the old Node job, still running during the switch) adds
/// to "DashboardFact" beside them.
/// </summary>
public class Facts_of_the_package
{
    private const string WindowEnd = "2025-10-12T00:00:00.000Z";

    private static readonly string[] FactTypes = ["metrics.activation.rolling7d", "metrics.anomaly_response.rolling7d", "metrics.sla_resolution.rolling7d"];

    [Fact]
    public async Task The_old_job_writing_after_us_changes_no_output_of_ours()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        var oldJobIds = await WriteOldJobFactsAsync(db, WindowEnd);

        var json = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf, "--json"]);
        var current = await db.QueryAsync<int>("select total_active_shops from metrics.activation_current");
        // a backfill of the last two days, the old job writing between two runs of it
        var serverNow = await db.ServerNowAsync();
        var clock = new FakeTimeProvider(serverNow);
        var yesterday = serverNow.UtcDateTime.Date.AddDays(-1);
        var backfillFrom = yesterday.ToString("yyyy-MM-dd");
        await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--backfill-from", backfillFrom], clock: clock);
        oldJobIds.AddRange(await WriteOldJobFactsAsync(db, yesterday.ToString("yyyy-MM-dd'T'00:00:00.000'Z'")));
        var backfill = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--backfill-from", backfillFrom, "--json"], clock: clock);

        Assert.True(json.ExitCode == ExitCodes.Success, json.ToString());
        var facts = JsonNode.Parse(json.Output)!["facts"]!.AsObject();
        Assert.Equal(FactTypes, facts.Select(fact => fact.Key).Order());
        Assert.Equal(4, (int)facts["metrics.activation.rolling7d"]!["value"]!["totalActiveShops"]!);
        Assert.Equal([4], current);
        Assert.True(backfill.ExitCode == ExitCodes.Success, backfill.ToString());
        var days = JsonNode.Parse(backfill.Output)!["refreshes"]!.AsArray();
        Assert.Equal(2, days.Count);
        Assert.All(days, day => Assert.Equal(FactTypes, day!["facts"]!.AsObject().Select(fact => fact.Key).Order()));
        Assert.All(days, day => Assert.All(day!["facts"]!.AsObject(), fact => Assert.Null(fact.Value!["value"]!["total"])));
        // the old job's rows are its own: untouched
        Assert.Equal(Enumerable.Repeat(99, 6), await db.QueryAsync<int>(
            """select (value ->> 'total')::int from "DashboardFact" where id = any(@oldJobIds) order by id""", new { oldJobIds }));
        Assert.Equal(6, (await db.QueryAsync<int>(
            """select count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__' and value ->> 'windowEnd' = @WindowEnd""", new { WindowEnd })).Single());
    }

    [Fact]
    public async Task A_fact_the_old_job_wrote_first_is_taken_over()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        var oldJobIds = await WriteOldJobFactsAsync(db, WindowEnd);

        await db.RefreshAsync(FixedDataSet.AsOf);

        Assert.Equal(oldJobIds, await db.QueryAsync<long>(
            """select id from "DashboardFact" where "shopDomain" = '__aggregate__' order by id"""));
        Assert.Equal(oldJobIds, await db.QueryAsync<long>("select fact_id from metrics_staging.written_fact order by fact_id"));
        Assert.Equal(4, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
    }

    [Fact]
    public async Task A_second_fact_of_ours_for_one_window_is_refused_by_the_database()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        await using var connection = await db.OpenAsync();

        // what a second refresh of the window that did not wait for the first would record
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            """
            with second as (
                insert into "DashboardFact" ("shopDomain", "factType", scope, value, "updatedAt")
                values ('__aggregate__', 'metrics.activation.rolling7d', 'ops', '{"windowEnd": "2025-10-12T00:00:00.000Z"}', now())
                returning id
            )
            insert into metrics_staging.written_fact (fact_type, window_end, fact_id)
            select 'metrics.activation.rolling7d', '2025-10-12T00:00:00Z', id from second
            """));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        Assert.Equal("written_fact_pkey", duplicate.ConstraintName);
    }

    /// <summary>What the old job writes for a window: a row per fact type, with its own numbers; returns their ids.</summary>
    private static async Task<List<long>> WriteOldJobFactsAsync(MetricsDatabase db, string windowEnd) =>
        await db.QueryAsync<long>(
            """
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
            select '__aggregate__', fact_type, 'ops',
                   jsonb_build_object('windowEnd', @windowEnd, 'total', 99, 'totalActiveShops', 99),
                   '{"generatedAt": "2025-10-12T01:00:00.000Z"}', now(), now()
            from unnest(@FactTypes) as fact_type
            returning id
            """, new { windowEnd, FactTypes });
}
