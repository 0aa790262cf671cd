using System.Text;
using Dapper;
using Metrics.Runner.Snapshots;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>Properties of CALL metrics.refresh(as_of) that no single hand-worked case shows.</summary>
public class RefreshProperties
{
    /// <summary>
    /// Every materialized view and daily series plus the facts' values, without the volatile
    /// generatedAt; the views queried in <paramref name="timeZone"/> (default: the server's).
    /// </summary>
    private static async Task<string> ResultsAsync(MetricsDatabase db, string? timeZone = null)
    {
        await using var connection = await db.OpenAsync(timeZone);
        var text = new StringBuilder();
        foreach (var view in await ViewSnapshot.ReadAllAsync(connection))
            if (!view.ViewName.EndsWith("_current", StringComparison.Ordinal))
                text.AppendLine($"== {view.ViewName}").Append(view.Text);
        foreach (var row in await connection.QueryAsync<string>(
                     """select "factType" || ' ' || value::text || ' ' || (metadata - 'generatedAt')::text from "DashboardFact" where "shopDomain" = '__aggregate__' order by "factType", value ->> 'windowEnd'"""))
            text.AppendLine(row);
        return text.ToString();
    }

    [Fact]
    public async Task Results_do_not_depend_on_the_session_time_zone()
    {
        var results = new List<string>();
        foreach (var timeZone in new[] { "UTC", "Pacific/Auckland", "America/Los_Angeles" })
        {
            await using var db = await MetricsDatabase.CreateAsync();
            await FixedDataSet.LoadAsync(db);
            await using var connection = await db.OpenAsync(timeZone);
            await db.RefreshAsync(FixedDataSet.AsOf, connection);
            // analysts query the views in their own session's TimeZone too
            results.Add(await ResultsAsync(db, timeZone));
        }

        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);
        Assert.Contains("\"totalActiveShops\": 4", results[0]);
    }

    [Fact]
    public async Task Ignores_rows_created_at_or_after_window_end()
    {
        await using var data = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(data);
        await data.RefreshAsync(FixedDataSet.AsOf);
        await using var dataAndLaterRows = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(dataAndLaterRows);
        await FixedDataSet.LoadRowsCreatedAfterWindowEndAsync(dataAndLaterRows);
        await dataAndLaterRows.RefreshAsync(FixedDataSet.AsOf);

        Assert.Equal(await ResultsAsync(data), await ResultsAsync(dataAndLaterRows));
    }

    [Fact]
    public async Task Shows_the_as_of_of_the_newest_refresh_in_the_views()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await FixedDataSet.LoadRowsCreatedAfterWindowEndAsync(db);
        await db.RefreshAsync("2025-10-13T02:00:00Z");
        Assert.Contains("late.myshopify.com", await ResultsAsync(db));

        await db.RefreshAsync(FixedDataSet.AsOf);

        Assert.DoesNotContain("late.myshopify.com", await ResultsAsync(db));
    }

    [Fact]
    public async Task Two_refreshes_on_the_same_day_leave_one_updated_fact_per_type()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync("2025-10-12T02:00:00Z");
        var first = await db.AggregateFactsAsync("metrics.activation.rolling7d");
        // a row arriving late but created inside the window: the second refresh sees it
        await db.SessionOpenedAsync("z.myshopify.com", "2025-10-09T00:00:00");

        await db.RefreshAsync("2025-10-12T23:59:59Z");

        var rows = await db.QueryAsync<(string FactType, int Count, DateTime CreatedAt, DateTime UpdatedAt)>(
            """
            select "factType", count(*) over (partition by "factType")::int, "createdAt", "updatedAt"
            from "DashboardFact" where "shopDomain" = '__aggregate__' order by 1
            """);
        Assert.Equal(
            ["metrics.activation.rolling7d", "metrics.anomaly_response.rolling7d", "metrics.sla_resolution.rolling7d"],
            rows.Select(r => r.FactType));
        Assert.All(rows, r => Assert.Equal(1, r.Count));
        Assert.All(rows, r => Assert.True(r.UpdatedAt > r.CreatedAt));
        Assert.Equal(4, (int)first.Single().Value["totalActiveShops"]!);
        Assert.Equal(5, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
    }

    [Fact]
    public async Task A_refresh_that_fails_after_its_first_write_leaves_no_fact_and_the_previous_views()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync("2025-10-11T02:00:00Z");
        var before = await ResultsAsync(db);
        await using (var connection = await db.OpenAsync())
            await connection.ExecuteAsync(
                """
                create function public.fail_on_second_fact() returns trigger language plpgsql as
                $$ begin raise exception 'injected failure' using errcode = 'P0042'; end $$;
                create trigger fail_on_second_fact before insert on "DashboardFact" for each row
                when (new."factType" = 'metrics.sla_resolution.rolling7d') execute function public.fail_on_second_fact();
                """);

        var failure = await Assert.ThrowsAsync<PostgresException>(() => db.RefreshAsync(FixedDataSet.AsOf));

        Assert.Equal("P0042", failure.SqlState);
        Assert.Equal(before, await ResultsAsync(db));
        Assert.Equal(1, (await db.QueryAsync<int>("select count(*)::int from metrics.refresh_run")).Single());
        Assert.Empty(await db.QueryAsync<int>(
            """select id from "DashboardFact" where "shopDomain" = '__aggregate__' and value ->> 'windowEnd' = '2025-10-12T00:00:00.000Z'"""));
    }

    [Fact]
    public async Task A_second_refresh_waits_for_the_first_and_neither_duplicates_a_fact()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);

        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => db.RefreshAsync(FixedDataSet.AsOf))));

        var counts = await db.QueryAsync<(string FactType, int Count)>(
            """select "factType", count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__' group by 1 order by 1""");
        Assert.Equal(3, counts.Count);
        Assert.All(counts, c => Assert.Equal(1, c.Count));
        Assert.Equal(2, (await db.QueryAsync<int>("select count(*)::int from metrics.refresh_run")).Single());
    }

    [Fact]
    public async Task A_refresh_that_cannot_get_the_lock_in_time_reports_lock_not_available()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await using var first = await db.OpenAsync();
        await using var transaction = await first.BeginTransactionAsync();
        await db.RefreshAsync(FixedDataSet.AsOf, first);
        await using var second = await db.OpenAsync();
        await second.ExecuteAsync("set lock_timeout = '200ms'");

        var failure = await Assert.ThrowsAsync<PostgresException>(() => db.RefreshAsync(FixedDataSet.AsOf, second));

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, failure.SqlState);
        await transaction.CommitAsync();
        Assert.Single(await db.AggregateFactsAsync("metrics.activation.rolling7d"));
    }

    [Fact]
    public async Task Daily_series_keep_every_day_under_a_time_zone_whose_midnight_can_be_skipped()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // Chile skipped 2022-09-11 00:00 local time (clocks went to 01:00); cohort days 09-11 .. 09-15
        await db.SessionOpenedAsync("a.myshopify.com", "2022-09-11T05:00:00");
        await db.RefreshAsync("2022-09-16T02:00:00Z");

        foreach (var timeZone in new[] { "UTC", "America/Santiago" })
        {
            await using var connection = await db.OpenAsync(timeZone);
            var days = await connection.QueryAsync<DateTime>("select cohort_day from metrics.activation_daily order by 1");
            Assert.Equal(Enumerable.Range(11, 5).Select(day => new DateTime(2022, 9, day)), days);
        }
    }

    [Fact]
    public async Task Rejects_an_infinite_as_of()
    {
        await using var db = await MetricsDatabase.CreateAsync();

        var failure = await Assert.ThrowsAsync<PostgresException>(() => db.RefreshAsync("infinity"));

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, failure.SqlState);
        Assert.Empty(await db.AggregateFactsAsync("metrics.activation.rolling7d"));
    }
}
