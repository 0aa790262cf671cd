using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>
/// Refreshes next to analysts and the app: 8 refreshes started together while 32 analyst
/// sessions read every view in a loop and the app inserts rows at a steady rate; and
/// <c>migrate</c> started while a refresh runs, and the other way round.
/// </summary>
[Trait(ReliabilityRun.Trait, ReliabilityRun.Category)]
public class Concurrency_and_load
{
    private const int Refreshes = 8;
    private const int Readers = 32;
    private static readonly string[] AsOfs = ["2025-09-30T02:00:00Z", "2025-10-06T02:00:00Z"];

    [Fact]
    public async Task Eight_refreshes_with_readers_and_app_inserts_write_one_fact_per_window_and_block_nobody()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using (var connection = await db.OpenAsync())
            await new FuzzedAppData(seed: 11, ReliabilityRun.RowsPerSeed, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(connection);
        await db.RefreshAsync(AsOfs[0]);
        var views = await db.QueryAsync<string>("select table_name::text from information_schema.views where table_schema = 'metrics' order by 1");
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        var readerWaits = Enumerable.Range(0, Readers).Select(_ => LoopAsync(db, "analyst", errors, stop.Token, async connection =>
        {
            foreach (var view in views)
                await connection.ExecuteAsync($"select count(*) from (select * from metrics.{view}) as rows");
        })).ToList();
        var inserted = 0;
        var insertWait = LoopAsync(db, "app", errors, stop.Token, async connection =>
        {
            await connection.ExecuteAsync(
                """
                insert into "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt")
                values ('load.myshopify.com', 'dashboard.session.opened', 'ops', '{}', '2025-10-01T10:00:00', '2025-10-01T10:00:00')
                """);
            Interlocked.Increment(ref inserted);
            await Task.Delay(20);
        });
        var lockWaits = LongestLockWaitsAsync(db, stop.Token);

        await Task.Delay(500);
        var refreshes = await Task.WhenAll(Enumerable.Range(0, Refreshes).Select(i =>
            CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", AsOfs[i % 2], "--lock-timeout", "300"])));
        await Task.Delay(500);
        await stop.CancelAsync();
        var longestRead = (await Task.WhenAll(readerWaits)).Max();
        var longestInsert = await insertWait;
        var (readerLockWait, insertLockWait) = await lockWaits;

        Assert.All(refreshes, run => Assert.True(run.ExitCode == ExitCodes.Success, run.ToString()));
        Assert.Empty(errors);
        Assert.Empty(await db.QueryAsync<string>(
            """
            select "factType" || ' ' || (value ->> 'windowEnd') from "DashboardFact" where "shopDomain" = '__aggregate__'
            group by "factType", value ->> 'windowEnd' having count(*) > 1
            """));
        Assert.Equal(6, (await db.QueryAsync<int>("""select count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__'""")).Single());
        var lost = inserted - (await db.QueryAsync<int>("""select count(*)::int from "DashboardFact" where "shopDomain" = 'load.myshopify.com'""")).Single();
        Assert.Equal(0, lost);
        Assert.True(inserted > 10, $"the app inserted only {inserted} rows");
        Assert.True(readerLockWait < TimeSpan.FromMilliseconds(100), $"an analyst waited {readerLockWait.TotalMilliseconds:0} ms on a lock");
        Assert.True(insertLockWait < TimeSpan.FromMilliseconds(100), $"the app waited {insertLockWait.TotalMilliseconds:0} ms on a lock");
        ReliabilityRun.Figure("load", ("refreshes", Refreshes), ("readers", Readers), ("sessions", Refreshes + Readers + 1),
            ("reader_ms", Math.Round(longestRead.TotalMilliseconds)), ("insert_ms", Math.Round(longestInsert.TotalMilliseconds)),
            ("reader_lock_ms", Math.Round(readerLockWait.TotalMilliseconds)), ("insert_lock_ms", Math.Round(insertLockWait.TotalMilliseconds)),
            ("inserts", inserted), ("lost", lost));
    }

    [Fact]
    public async Task Migrate_and_refresh_started_while_the_other_runs_both_finish()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        await new FuzzedAppData(seed: 12, rows: 300, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(connection);
        await db.RefreshAsync(AsOfs[0], connection);
        // a slow refresh (each fact write sleeps) and a slow migrate (its first DDL statement sleeps), told apart by application_name
        await connection.ExecuteAsync(FaultSetup.SlowFactWrites("refresh-slow", 0.7));
        await connection.ExecuteAsync(
            """
            create function public.slow_ddl() returns event_trigger language plpgsql as $$
            begin
                if current_setting('application_name') = 'migrate-slow' and current_setting('reliability.slept', true) is distinct from 'yes' then
                    perform set_config('reliability.slept', 'yes', false);
                    perform pg_sleep(2);
                end if;
            end $$;
            create event trigger slow_ddl on ddl_command_end execute function public.slow_ddl();
            """);
        var scripts = await db.QueryAsync<string>("select script_name from metrics.schema_journal order by 1");

        foreach (var (first, second) in new[] { ("refresh", "migrate"), ("migrate", "refresh") })
        {
            // migrate has work to do: with the repeatable scripts' journal rows gone, the whole repeatable group runs again
            await connection.ExecuteAsync("delete from metrics.schema_journal where script_name !~ '^[0-9]'");
            var runs = new Dictionary<string, Task<(CliRun Run, TimeSpan Took)>>();
            runs[first] = TimedAsync(Command(first, db, slow: true));
            await FaultSetup.WaitUntilSleepingAsync(db.ConnectionString, first + "-slow");
            runs[second] = TimedAsync(Command(second, db, slow: false));
            foreach (var (name, task) in runs)
            {
                var (run, took) = await task;
                Assert.True(run.ExitCode is ExitCodes.Success or ExitCodes.LockTimeout, $"{name} started {(name == first ? "first" : "second")}: {run}");
                Assert.True(took < TimeSpan.FromSeconds(30 + 15), $"{name} took {took}, past its 30 s lock timeout");
                if (run.ExitCode == ExitCodes.LockTimeout)
                    Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(Command(name, db, slow: false))).ExitCode);
            }
            Assert.Equal(scripts, await db.QueryAsync<string>("select script_name from metrics.schema_journal order by 1"));
        }
        await FaultSetup.AssertNoHalfWrittenFactSetAsync(db.ConnectionString);
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", AsOfs[1]])).ExitCode);
        ReliabilityRun.Figure("fault", ("kind", "migrate-against-refresh"), ("trials", 2));
    }

    private static string[] Command(string name, MetricsDatabase db, bool slow)
    {
        var connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = slow ? name + "-slow" : "metrics" }.ConnectionString;
        return name == "refresh"
            ? ["refresh", "--connection", connection, "--as-of", AsOfs[1], "--lock-timeout", "30"]
            : ["migrate", "--connection", connection, "--lock-timeout", "30"];
    }

    private static async Task<(CliRun, TimeSpan)> TimedAsync(string[] arguments)
    {
        await Task.Yield();
        var stopwatch = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(arguments);
        return (run, stopwatch.Elapsed);
    }

    /// <summary>Runs <paramref name="body"/> on one session until stopped; returns its longest single run. Errors are collected.</summary>
    private static async Task<TimeSpan> LoopAsync(MetricsDatabase db, string application, ConcurrentQueue<string> errors, CancellationToken stop, Func<NpgsqlConnection, Task> body)
    {
        await Task.Yield();
        var longest = TimeSpan.Zero;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = application }.ConnectionString);
        await connection.OpenAsync();
        while (!stop.IsCancellationRequested)
        {
            var stopwatch = Stopwatch.StartNew();
            try
            {
                await body(connection);
            }
            catch (Exception e)
            {
                errors.Enqueue($"{application}: {e.Message}");
                return longest;
            }
            if (stopwatch.Elapsed > longest)
                longest = stopwatch.Elapsed;
        }
        return longest;
    }

    /// <summary>The longest time an analyst and the app session were seen waiting on a lock in pg_stat_activity, sampled every 20 ms.</summary>
    private static async Task<(TimeSpan Reader, TimeSpan App)> LongestLockWaitsAsync(MetricsDatabase db, CancellationToken stop)
    {
        await Task.Yield();
        var (reader, app) = (0.0, 0.0);
        await using var connection = await db.OpenAsync();
        while (!stop.IsCancellationRequested)
        {
            foreach (var (application, seconds) in await connection.QueryAsync<(string, double)>(
                         """
                         select application_name, extract(epoch from max(clock_timestamp() - query_start))::float8 from pg_stat_activity
                         where application_name in ('analyst', 'app') and wait_event_type = 'Lock'
                         group by 1
                         """))
                (reader, app) = application == "app" ? (reader, Math.Max(app, seconds)) : (Math.Max(reader, seconds), app);
            await Task.Delay(20);
        }
        return (TimeSpan.FromSeconds(reader), TimeSpan.FromSeconds(app));
    }
}
