using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary><c>metrics status</c> reports how fresh the metrics are, and <c>--max-age</c> turns that into an exit code for monitoring.</summary>
public class Status_freshness
{
    [Fact]
    public async Task Reports_the_last_refresh_view_rows_and_data_quality()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);

        var run = await CliRun.RunAsync(["status", "--connection", db.ConnectionString]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("last refresh: as of 2025-10-12 02:00:00Z, window [2025-10-05, 2025-10-12)", run.Output);
        // row counts as in the AnalystViews snapshot of the fixed data set
        Assert.Contains("views:        data_quality_issue 2 rows, landing_page_anomaly 2 rows, shop_activation 5 rows, sla_breach 5 rows", run.Output);
        Assert.Contains("data quality: 2 issue(s) skipped", run.Output);
        Assert.Contains("freshness:    newest facts have windowEnd 2025-10-12 00:00Z", run.Output);
    }

    [Fact]
    public async Task Max_age_passes_after_todays_refresh()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await db.RefreshAsync((await db.ServerNowAsync()).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));

        var run = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--max-age", "26"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
    }

    [Fact]
    public async Task Max_age_fails_when_the_nightly_refresh_did_not_run()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // the newest facts end 3 days ago at midnight: at least 72 h old
        await db.RefreshAsync((await db.ServerNowAsync()).AddDays(-3).ToString("yyyy-MM-dd'T'02:00:00'Z'"));

        var run = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--max-age", "26"]);

        Assert.Equal(ExitCodes.Stale, run.ExitCode);
        Assert.Matches(@"error: the newest facts are \d+(\.\d)? h old, more than --max-age 26", run.Error);
        Assert.Contains("status:     stale", run.Output);
    }

    [Fact]
    public async Task Max_age_fails_before_the_first_refresh()
    {
        await using var db = await MetricsDatabase.CreateAsync();

        var run = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--max-age", "26"]);

        Assert.Equal(ExitCodes.Stale, run.ExitCode);
        Assert.Contains("last refresh: never", run.Output);
        Assert.Contains("no facts have been written yet", run.Error);
    }
}
