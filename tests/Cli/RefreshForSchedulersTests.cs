using System.Diagnostics;
using System.Text.Json.Nodes;
using Dapper;
using Metrics.Runner;
using Metrics.Runner.Database;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary>What a scheduler gets from <c>metrics refresh</c>: JSON on stdout, logs on stderr, retries, lock reports.</summary>
public class Refresh_for_schedulers
{
    [Fact]
    public async Task Json_prints_one_result_object_on_stdout_and_the_readable_lines_on_stderr()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);

        var stopwatch = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf, "--json"]);
        var elapsed = stopwatch.ElapsedMilliseconds;

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var result = JsonNode.Parse(run.Output)!.AsObject();
        Assert.Equal("succeeded", (string?)result["outcome"]);
        Assert.Equal("2025-10-12T02:00:00.000Z", (string?)result["asOf"]);
        Assert.Equal("2025-10-05T00:00:00.000Z", (string?)result["windowStart"]);
        Assert.Equal("2025-10-12T00:00:00.000Z", (string?)result["windowEnd"]);
        Assert.Equal(2, (int)result["dataQualityIssues"]!);
        Assert.Equal(1, (int)result["attempts"]!);
        // milliseconds of the refresh itself: no refresh of views and facts takes under 1 ms, none longer than the whole run
        Assert.InRange((long)result["durationMs"]!, 1, elapsed);
        Assert.Equal(4, (int)result["facts"]!["metrics.activation.rolling7d"]!["value"]!["totalActiveShops"]!);
        Assert.Equal(1, (int)result["facts"]!["metrics.sla_resolution.rolling7d"]!["metadata"]!["openBreaches"]!);
        Assert.Contains("refreshed as of 2025-10-12T02:00:00Z", run.Error);
        Assert.Matches(@"(?m)^parsed \d[\d,]* app rows in \d", run.Error);
    }

    [Fact]
    public async Task A_refresh_that_finds_another_running_says_who_and_exits_with_the_lock_code()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var holder = await db.OpenAsync();
        await holder.ExecuteAsync("select pg_advisory_lock(@key)", new { key = AdvisoryLocks.RefreshKey });

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--lock-timeout", "1", "--json"]);

        Assert.Equal(ExitCodes.LockTimeout, run.ExitCode);
        Assert.Contains($"another refresh is running (backend pid {holder.ProcessID}", run.Error);
        // a superuser sees every detail of the holder's session
        Assert.Matches($@"\(backend pid {holder.ProcessID} \(user {db.Server.AdminUser}, (application '[^']*', )?client [^,()]+, connected since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ\)\)", run.Error);
        Assert.Equal("lockTimeout", (string?)JsonNode.Parse(run.Output)!["outcome"]);
    }

    [Fact]
    public async Task A_login_without_pg_read_all_stats_is_told_who_holds_the_lock_and_nothing_it_cannot_see()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var login = "lock_watcher_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            // what a refresh needs to reach the lock, and no more: not a superuser, no pg_read_all_stats
            await db.Server.ExecuteAsync(db.Name,
                $"""
                create role {login} login password 'watcher-pw';
                grant usage on schema metrics, metrics_staging to {login};
                grant execute on procedure metrics.refresh(timestamptz, boolean) to {login};
                """);
            await using var holder = await db.OpenAsync();
            await holder.ExecuteAsync("set application_name = 'nightly-holder'; select pg_advisory_lock(@key)", new { key = AdvisoryLocks.RefreshKey });

            var run = await CliRun.RunAsync(["refresh", "--connection", db.Server.ConnectionString(db.Name, login, "watcher-pw"), "--lock-timeout", "1"]);

            Assert.Equal(ExitCodes.LockTimeout, run.ExitCode);
            Assert.Contains(
                $"another refresh is running (backend pid {holder.ProcessID} (user {db.Server.AdminUser}, application 'nightly-holder', " +
                "client and start time hidden from this login: pg_read_all_stats shows them)); waited 1 s", run.Error);
            Assert.DoesNotContain("local socket", run.Error);
            Assert.DoesNotContain("connected since", run.Error);
        }
        finally
        {
            await db.Server.DropRoleAsync(login);
        }
    }

    [Fact]
    public async Task A_lock_timeout_of_zero_gives_up_at_once_instead_of_waiting_forever()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var holder = await db.OpenAsync();
        await holder.ExecuteAsync("select pg_advisory_lock(@key)", new { key = AdvisoryLocks.RefreshKey });

        var refresh = CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--lock-timeout", "0"]);
        var finished = await Task.WhenAny(refresh, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(refresh, finished);
        Assert.Equal(ExitCodes.LockTimeout, (await refresh).ExitCode);
    }

    [Fact]
    public async Task A_backfill_that_stops_part_way_says_what_it_wrote_and_status_flags_the_views()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var now = await db.ServerNowAsync();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await db.RefreshAsync(now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        // the day ending yesterday fails; the day before it is written first
        var failingWindowEnd = today.AddDays(-1).ToString("yyyy-MM-dd") + "T00:00:00.000Z";
        await db.Server.ExecuteAsync(db.Name,
            $$"""
            create function public.fail_one_day() returns trigger language plpgsql as
            $$ begin raise exception 'injected failure' using errcode = 'P0042'; end $$;
            create trigger fail_one_day before insert on "DashboardFact" for each row
            when (new."shopDomain" = '__aggregate__' and new.value ->> 'windowEnd' = '{{failingWindowEnd}}') execute function public.fail_one_day();
            """);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--backfill-from", today.AddDays(-2).ToString("yyyy-MM-dd")], clock: new FakeTimeProvider(now));
        var status = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--max-age", "28"]);

        Assert.Equal(ExitCodes.UnexpectedError, run.ExitCode);
        var (before, failed) = (today.AddDays(-2).ToString("yyyy-MM-dd"), today.AddDays(-1).ToString("yyyy-MM-dd"));
        Assert.Contains($"the backfill stopped at {failed}: the days from {before} to {before} were written and the views show {before}", run.Error);
        Assert.Contains($"run `metrics refresh --backfill-from {failed}`", run.Error);
        Assert.Equal(ExitCodes.Stale, status.ExitCode);
        Assert.Contains($"note: the views show the data as of {before}, older than the newest facts", status.Output);
    }

    [Fact]
    public async Task A_refresh_with_another_app_schema_than_migrated_writes_nothing_and_says_so()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await db.Server.ExecuteAsync(db.Name,
            "create schema other; set search_path = other; " + await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--app-schema", "other"]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("the metrics schema was migrated for another app schema", run.Error);
        Assert.Empty(await db.AggregateFactsAsync("metrics.activation.rolling7d"));
        Assert.Empty(await db.QueryAsync<long>("select refresh_run_id from metrics.refresh_run"));
    }

    [Fact]
    public async Task A_refresh_over_its_statement_timeout_is_cancelled_and_writes_nothing()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var reader = await db.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        // an exclusive lock on refresh_run makes the refresh wait past its 1 s statement timeout
        await reader.ExecuteAsync("lock table metrics.refresh_run in exclusive mode", transaction: transaction);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--statement-timeout", "1"]);

        Assert.Equal(ExitCodes.StatementTimeout, run.ExitCode);
        Assert.Contains("ran longer than --statement-timeout 1 s and was cancelled; nothing was written", run.Error);
        await transaction.RollbackAsync();
        Assert.Empty(await db.AggregateFactsAsync("metrics.activation.rolling7d"));
    }

    [Fact]
    public async Task A_refresh_blocked_by_a_table_lock_says_it_is_not_another_refresh()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var reader = await db.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        await reader.ExecuteAsync("lock table metrics.refresh_run in exclusive mode", transaction: transaction);

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--lock-timeout", "1"]);

        Assert.Equal(ExitCodes.LockTimeout, run.ExitCode);
        Assert.Contains("the refresh waited 1 s for a lock held by another session", run.Error);
        Assert.DoesNotContain("another refresh is running", run.Error);
    }

    [Fact]
    public async Task Retries_after_its_connection_is_terminated_and_then_succeeds()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await using var holder = await db.OpenAsync();
        await holder.ExecuteAsync("select pg_advisory_lock(@key)", new { key = AdvisoryLocks.RefreshKey });
        var refresh = CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf, "--lock-timeout", "60"]);

        // the refresh waits for the lock; terminate its backend as a server restart would, then let it through
        var waiting = 0;
        for (var i = 0; i < 100 && waiting == 0; i++, await Task.Delay(100))
            waiting = await holder.ExecuteScalarAsync<int>(
                "select coalesce(max(pid), 0) from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())");
        Assert.NotEqual(0, waiting);
        await holder.ExecuteAsync("select pg_terminate_backend(@waiting)", new { waiting });
        await holder.ExecuteAsync("select pg_advisory_unlock(@key)", new { key = AdvisoryLocks.RefreshKey });
        var run = await refresh;

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Matches(@"warning: refresh as of 2025-10-12T02:00:00Z failed: .*\(SQLSTATE 57P01\); retry 1 of 3 in 1 s", run.Error);
        Assert.Single(await db.AggregateFactsAsync("metrics.activation.rolling7d"));
    }

    [Fact]
    public async Task Gives_up_after_the_retries_with_the_connection_error()
    {
        var run = await CliRun.RunAsync(["refresh", "--connection", $"postgresql://u:secret@127.0.0.1:{ClosedPort.Find()}/d", "--retries", "1", "--json"]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        var result = JsonNode.Parse(run.Output)!;
        Assert.Equal("failed", (string?)result["outcome"]);
        Assert.Equal(2, (int)result["attempts"]!);
        Assert.StartsWith("cannot reach PostgreSQL at u@127.0.0.1", (string?)result["error"]);
        Assert.Contains("retry 1 of 1 in 1 s", run.Error);
        Assert.Contains("cannot reach PostgreSQL at u@127.0.0.1", run.Error);
        Assert.DoesNotContain("secret", run.Error);
    }

    [Fact]
    public async Task A_backfill_that_cannot_reach_the_server_retries_and_prints_the_failed_result_object()
    {
        var run = await CliRun.RunAsync(["refresh", "--connection", $"postgresql://u:secret@127.0.0.1:{ClosedPort.Find()}/d", "--backfill-from", "2025-10-01", "--retries", "1", "--json"]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        var refresh = Assert.Single(JsonNode.Parse(run.Output)!["refreshes"]!.AsArray())!;
        Assert.Equal("failed", (string?)refresh["outcome"]);
        Assert.Equal("2025-10-01T00:00:00.000Z", (string?)refresh["asOf"]);
        Assert.Equal(2, (int)refresh["attempts"]!);
        Assert.StartsWith("cannot reach PostgreSQL at u@127.0.0.1", (string?)refresh["error"]);
        Assert.Contains("warning: planning the backfill from 2025-10-01 failed: ", run.Error);
        Assert.Contains("retry 1 of 1 in 1 s", run.Error);
        Assert.Contains("error: the backfill stopped at its first day, 2025-10-01; nothing was written.", run.Error);
        Assert.DoesNotContain("secret", run.Error + run.Output);
    }
}
