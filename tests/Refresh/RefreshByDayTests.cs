using Dapper;
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
    public async Task Lets_the_app_change_the_type_of_its_id_columns()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        await using var app = await db.OpenAsync();

        // what Prisma runs when a model's id becomes BigInt: nothing of ours pins these columns
        await app.ExecuteAsync("""
            alter table "DashboardFact" alter column id type bigint;
            alter table "DecisionLog" alter column id type bigint;
            """);
        await db.SessionOpenedAsync("late.myshopify.com", "2025-10-10T08:00:00");
        await db.RefreshAsync(FixedDataSet.AsOf);

        Assert.Equal(5, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
    }
}
