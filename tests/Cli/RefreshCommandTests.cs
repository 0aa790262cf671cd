using System.Text.RegularExpressions;
using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary><c>metrics refresh</c> and <c>metrics snapshot</c> through the real command tree.</summary>
public class Refresh_command
{
    [Fact]
    public async Task Prints_the_window_and_the_three_facts()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("refreshed as of 2025-10-12T02:00:00Z: window [2025-10-05, 2025-10-12)", run.Output);
        Assert.Contains("activation        2 of 4 new shops acted within 7 days: rate 0.5", run.Output);
        Assert.Contains("SLA resolution    3 breaches answered: median 35 min, p90 63 min; 1 still open", run.Output);
        Assert.Contains("anomaly response  1 of 2 anomalies answered within 24 h: rate 0.5", run.Output);
    }

    [Fact]
    public async Task Prints_each_stage_of_the_procedure_on_stderr_and_nothing_more_on_stdout()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf, "--full"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var stages = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(stages.Length >= 4, run.ToString());
        Assert.All(stages, stage => Assert.Matches(StageLine, stage));
        Assert.Contains(stages, stage => Regex.IsMatch(stage, @"^parsed \d[\d,]* app rows in "));
        Assert.Contains(stages, stage => stage.StartsWith("wrote 3 facts in ", StringComparison.Ordinal));
        // stdout as before: the refreshed line and the three facts
        var output = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, output.Length);
        Assert.StartsWith("refreshed as of 2025-10-12T02:00:00Z: window [2025-10-05, 2025-10-12) in ", output[0]);
        Assert.All(output[1..], line => Assert.StartsWith("  ", line));
    }

    [Fact]
    public async Task Quiet_prints_no_progress_lines()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        var from = DateOnly.FromDateTime((await db.ServerNowAsync()).UtcDateTime).AddDays(-1).ToString("yyyy-MM-dd");

        var single = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf, "--quiet"]);
        var backfill = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--backfill-from", from, "--quiet"], clock: TimeProvider.System);

        Assert.True(single.ExitCode == ExitCodes.Success, single.ToString());
        Assert.Equal("", single.Error);
        Assert.Contains("refreshed as of 2025-10-12T02:00:00Z", single.Output);
        Assert.True(backfill.ExitCode == ExitCodes.Success, backfill.ToString());
        Assert.Equal("", backfill.Error);
    }

    /// <summary>A stage the procedure reports: what it did, then how long it took ("parsed 6,607 app rows in 85 ms", "... in 2.3 s").</summary>
    private static readonly Regex StageLine = new(@"^[a-z][^\n]* in \d+(\.\d+)? m?s$");

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2025-13-45")]
    [InlineData("2025-10-05 10:00")]
    [InlineData("2999-01-01T00:00:00Z")]
    [InlineData("2025-10-20T12:00:01Z")] // a second after the clock's now, CliRun.DefaultNow
    [InlineData("2025-10-21")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("0001-01-01")]
    public async Task Rejects_a_malformed_or_future_as_of_before_touching_the_database(string asOf)
    {
        await using var db = await MetricsDatabase.CreateAsync();

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", asOf]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"--as-of", run.Error);
        Assert.Empty(await db.QueryAsync<long>("select refresh_run_id from metrics.refresh_run"));
    }

    [Fact]
    public async Task Says_to_migrate_first_on_a_database_without_the_metrics_schema()
    {
        await using var db = await MetricsDatabase.CreateUnmigratedAsync();

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString]);

        Assert.Equal(ExitCodes.NotMigrated, run.ExitCode);
        Assert.Contains("run `metrics migrate` first", run.Error);
    }

    [Fact]
    public async Task Backfills_one_fact_set_per_day_and_ends_with_the_views_as_of_now()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // the plan's today is the server's: the client's clock only checks the date is not in the future
        var before = await db.ServerNowAsync();
        var from = DateOnly.FromDateTime(before.UtcDateTime).AddDays(-3);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--backfill-from", from.ToString("yyyy-MM-dd")], clock: new FakeTimeProvider(before));

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        // before each day, which it is; from the second on, an estimate of the time left
        var days = Regex.Matches(run.Error, @"^day (\d+) of (\d+) \((\d{4}-\d\d-\d\d)\)(: about .+ left)?$", RegexOptions.Multiline);
        Assert.True(days.Count >= 4, run.ToString());
        Assert.Equal(Enumerable.Range(1, days.Count).Select(day => $"{day} of {days.Count}"), days.Select(day => $"{day.Groups[1].Value} of {day.Groups[2].Value}"));
        Assert.Equal(from.ToString("yyyy-MM-dd"), days[0].Groups[3].Value);
        Assert.False(days[0].Groups[4].Success, run.ToString());
        Assert.All(days.Skip(1), day => Assert.Matches(@"^: about (\d+ (h|min|s) ?)+ left$", day.Groups[4].Value));
        var after = await db.ServerNowAsync();
        var last = (await db.QueryAsync<DateTime>("select as_of from metrics.refresh_run order by refresh_run_id desc limit 1")).Single();
        Assert.InRange(last, before.UtcDateTime, after.UtcDateTime);
        // every day from the first to the server's today, the day of the last refresh (4 days, 5 if the run crossed midnight)
        var today = DateOnly.FromDateTime(last);
        var windowEnds = await db.QueryAsync<string>(
            """select distinct value ->> 'windowEnd' from "DashboardFact" where "shopDomain" = '__aggregate__' order by 1""");
        Assert.Equal(
            Enumerable.Range(0, today.DayNumber - from.DayNumber + 1).Select(d => from.AddDays(d).ToString("yyyy-MM-dd") + "T00:00:00.000Z"),
            windowEnds);
        Assert.Equal(3 * windowEnds.Count, (await db.QueryAsync<int>("""select count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__'""")).Single());
        var newest = (await db.QueryAsync<DateTime>("select window_end at time zone 'UTC' from metrics.refresh_run order by refresh_run_id desc limit 1")).Single();
        Assert.Equal(today.ToDateTime(TimeOnly.MinValue), newest);
    }

    [Fact]
    public async Task Says_to_migrate_first_when_the_schema_is_from_an_older_release()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // the procedure as released before incremental refreshes: it takes only the as-of instant
        await db.Server.ExecuteAsync(db.Name,
            """
            drop procedure metrics.refresh;
            create procedure metrics.refresh(as_of timestamptz default now()) language sql as $$ select 1 $$;
            """);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--full"]);

        Assert.Equal(ExitCodes.NotMigrated, run.ExitCode);
        Assert.Contains("not migrated, or not to this version (no metrics.refresh(timestamptz, boolean) procedure or metrics_staging.written_fact table): run `metrics migrate` first", run.Error);
    }

    [Fact]
    public async Task Snapshot_writes_one_sorted_file_per_view()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        var directory = Directory.CreateTempSubdirectory("metrics-snapshot-");
        try
        {
            var run = await CliRun.RunAsync(["snapshot", "--connection", db.ConnectionString, "--out", directory.FullName]);

            Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
            var files = directory.GetFiles().Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(16, files.Count);
            Assert.Contains("shop_activation.tsv", files);
            var activation = await File.ReadAllLinesAsync(Path.Combine(directory.FullName, "shop_activation.tsv"));
            Assert.StartsWith("shop_domain\tfirst_session_at\t", activation[0]);
            Assert.StartsWith("a.myshopify.com\t2025-10-06 10:00:00+00\t", activation[1]);
            // one line per file, with its row count: a singular for the one row of a *_current view
            Assert.Contains($"{Path.Combine(directory.FullName, "shop_activation.tsv")}  (5 rows)", run.Output);
            Assert.Contains($"{Path.Combine(directory.FullName, "activation_current.tsv")}  (1 row)", run.Output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
