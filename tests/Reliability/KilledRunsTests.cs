using System.Diagnostics;
using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>
/// <c>metrics migrate</c>, <c>refresh</c>, <c>refresh --backfill-from</c> and <c>backfill-chatwoot</c>
/// killed with SIGKILL at random moments (from the process start to about its usual end): each
/// time the database holds what it held before or what a finished run leaves, never a part,
/// the killed run's backend goes away by itself, and the next run succeeds without repair.
/// </summary>
[Trait(ReliabilityRun.Trait, ReliabilityRun.Category)]
public class Killed_runs : IClassFixture<TestDatabase>
{
    private static readonly DateTime DataStart = new(2025, 9, 22, 0, 0, 0, DateTimeKind.Utc);
    private readonly TestDatabase _fixture;

    public Killed_runs(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Migrate_leaves_the_journal_and_the_schema_agreeing_and_the_next_run_completes()
    {
        var migrated = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync(PostgresServer.MigratedTemplate));
        var expectedSchema = await SchemaAsync(migrated);
        var scripts = await JournalAsync(migrated);
        var killer = await KillerAsync(_fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync()), "migrate", "--lock-timeout", "30");
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
            await killer.KillAsync(connection, "migrate", "--lock-timeout", "30");

            var journal = await JournalAsync(connection);
            Assert.Equal(scripts.Take(journal.Count), journal);
            var status = await CliRun.RunAsync(["status", "--connection", connection]);
            Assert.True(status.ExitCode is ExitCodes.Success or ExitCodes.MigrationsPending or ExitCodes.NotMigrated, status.ToString());

            var next = await CliRun.RunAsync(["migrate", "--connection", connection, "--lock-timeout", "30"]);
            Assert.True(next.ExitCode == ExitCodes.Success, $"trial {trial}, killed after {journal.Count} scripts: {next}");
            Assert.Equal(expectedSchema, await SchemaAsync(connection));
            Assert.Equal(scripts, await JournalAsync(connection));
        }
        ReliabilityRun.Figure("fault", ("kind", "sigkill-migrate"), ("trials", ReliabilityRun.FaultTrials));
    }

    [Fact]
    public async Task Refresh_leaves_the_last_good_refresh_or_a_whole_new_one_and_the_next_run_completes()
    {
        var connection = await FuzzedDatabaseAsync();
        string[] asOfs = ["2025-09-30T02:00:00Z", "2025-10-06T02:00:00Z"];
        await RefreshAsync(connection, asOfs[0]);
        var killer = await KillerAsync(connection, "refresh", "--as-of", asOfs[1], "--full");
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            var asOf = asOfs[trial % 2];
            var before = await ResultsAsync(connection);
            var otherWindows = await FactsOutsideAsync(connection, [asOf[..10]]);
            await killer.KillAsync(connection, "refresh", "--as-of", asOf, "--full");

            await FaultSetup.AssertNoHalfWrittenFactSetAsync(connection);
            Assert.Equal(otherWindows, await FactsOutsideAsync(connection, [asOf[..10]]));
            var killed = await ResultsAsync(connection);
            await RefreshAsync(connection, asOf);
            var after = await ResultsAsync(connection);
            Assert.True(killed == before || killed == after, $"trial {trial}: after the kill the views are neither the last good refresh's nor a whole new one's\n{LineDiff.Describe(before, killed)}");
        }
        ReliabilityRun.Figure("fault", ("kind", "sigkill-refresh"), ("trials", ReliabilityRun.FaultTrials));
    }

    [Fact]
    public async Task Backfill_leaves_whole_fact_sets_of_the_days_it_wrote_and_the_next_run_completes()
    {
        var connection = await FuzzedDatabaseAsync();
        await RefreshAsync(connection, "2025-10-06T02:00:00Z");
        var today = DateTime.UtcNow.Date;
        var from = today.AddDays(-3).ToString("yyyy-MM-dd");
        var days = Enumerable.Range(0, 4).Select(d => today.AddDays(d - 3).ToString("yyyy-MM-dd")).ToArray();
        var killer = await KillerAsync(connection, "refresh", "--backfill-from", from);
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            var earlier = await FactsOutsideAsync(connection, days);
            await killer.KillAsync(connection, "refresh", "--backfill-from", from);

            await FaultSetup.AssertNoHalfWrittenFactSetAsync(connection);
            Assert.Equal(earlier, await FactsOutsideAsync(connection, days));
            var next = await CliRun.RunAsync(["refresh", "--connection", connection, "--backfill-from", from, "--lock-timeout", "30"], clock: TimeProvider.System);
            Assert.True(next.ExitCode == ExitCodes.Success, $"trial {trial}: {next}");
            await using var db = new NpgsqlConnection(connection);
            Assert.Equal(days.Length * 3, await db.ExecuteScalarAsync<int>(
                """select count(*) from "DashboardFact" where "shopDomain" = '__aggregate__' and left(value ->> 'windowEnd', 10) = any(@days)""", new { days }));
        }
        ReliabilityRun.Figure("fault", ("kind", "sigkill-backfill-from"), ("trials", ReliabilityRun.FaultTrials));
    }

    [Fact]
    public async Task Backfill_chatwoot_changes_every_row_or_none_and_the_next_run_completes()
    {
        var source = await FuzzedDatabaseAsync();
        var sourceName = new NpgsqlConnectionStringBuilder(source).Database!;
        var killer = await KillerAsync(_fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync(sourceName)), "backfill-chatwoot");
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync(sourceName));
            var before = await AppRowsAsync(connection);
            await killer.KillAsync(connection, "backfill-chatwoot");

            var killed = await AppRowsAsync(connection);
            var next = await CliRun.RunAsync(["backfill-chatwoot", "--connection", connection, "--lock-timeout", "30"]);
            Assert.True(next.ExitCode == ExitCodes.Success, $"trial {trial}: {next}");
            var after = await AppRowsAsync(connection);
            Assert.NotEqual(before, after);
            Assert.True(killed == before || killed == after, $"trial {trial}: the killed backfill left some rows changed and others not");
        }
        ReliabilityRun.Figure("fault", ("kind", "sigkill-backfill-chatwoot"), ("trials", ReliabilityRun.FaultTrials));
    }

    /// <summary>A migrated database holding a fuzzed data set (valid and malformed rows).</summary>
    private async Task<string> FuzzedDatabaseAsync()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync(PostgresServer.MigratedTemplate));
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await new FuzzedAppData(seed: 7, ReliabilityRun.RowsPerSeed, ReliabilityRun.BigArrayBytes, DataStart).WriteAllAsync(db);
        return connection;
    }

    private static async Task RefreshAsync(string connection, string asOf)
    {
        var run = await CliRun.RunAsync(["refresh", "--connection", connection, "--as-of", asOf, "--lock-timeout", "30"]);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
    }

    /// <summary>Times one whole run of the command, to kill later runs at a random moment within about that time.</summary>
    private static async Task<Killer> KillerAsync(string connection, params string[] arguments)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = MetricsProcess.Start([.. arguments, "--connection", connection]);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == ExitCodes.Success, $"{string.Join(' ', arguments)}: exit {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        return new Killer(stopwatch.Elapsed);
    }

    private sealed class Killer(TimeSpan wholeRun)
    {
        private readonly Random _random = new(42);

        /// <summary>Starts the command, kills it (SIGKILL) after a random part of a whole run, and waits until its backend is gone too.</summary>
        public async Task KillAsync(string connection, params string[] arguments)
        {
            var application = "metrics-killed-" + Guid.NewGuid().ToString("N")[..8];
            var named = new NpgsqlConnectionStringBuilder(connection) { ApplicationName = application }.ConnectionString;
            using (var process = MetricsProcess.Start([.. arguments, "--connection", named]))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_random.NextDouble() * wholeRun.TotalMilliseconds));
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            await using var db = new NpgsqlConnection(connection);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await db.ExecuteScalarAsync<bool>("select exists (select from pg_stat_activity where application_name = @application)", new { application }))
            {
                Assert.True(DateTime.UtcNow < deadline, "the killed run's backend is still there after 30 s");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The aggregate facts of other windows than <paramref name="days"/>, as written (generatedAt included).</summary>
    private static async Task<List<string>> FactsOutsideAsync(string connection, string[] days)
    {
        await using var db = new NpgsqlConnection(connection);
        return (await db.QueryAsync<string>(
            """
            select id || ' ' || value::text || ' ' || metadata::text || ' ' || "updatedAt" from "DashboardFact"
            where "shopDomain" = '__aggregate__' and left(value ->> 'windowEnd', 10) <> all(@days) order by id
            """, new { days })).ToList();
    }

    private static async Task<string> ResultsAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        return await MetricsResults.ReadAsync(db);
    }

    private static async Task<string> AppRowsAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        return await db.ExecuteScalarAsync<string>(
            """select md5(string_agg(id || value::text || coalesce(metadata::text, '') || "updatedAt", '|' order by id)) from "DashboardFact" """) ?? "";
    }

    private static async Task<List<string>> JournalAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        return await db.ExecuteScalarAsync<bool>("select to_regclass('metrics.schema_journal') is not null")
            ? (await db.QueryAsync<string>("select script_name from metrics.schema_journal where script_name ~ '^[0-9]' order by script_name")).ToList()
            : [];
    }

    /// <summary>The metrics schemas' relations, columns and functions, and our indexes on the app tables with their validity.</summary>
    private static async Task<string> SchemaAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        return string.Join('\n', await db.QueryAsync<string>(
            """
            select n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || coalesce(i.indisvalid::text, '') || ' '
                || coalesce((select string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' order by a.attnum)
                             from pg_attribute as a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '')
            from pg_class as c
            inner join pg_namespace as n on n.oid = c.relnamespace
            left join pg_index as i on i.indexrelid = c.oid
            where n.nspname in ('metrics', 'metrics_staging') or c.relname like 'metrics\_%'
            union all
            select p.oid::regprocedure::text from pg_proc as p where p.pronamespace::regnamespace::text in ('metrics', 'metrics_staging')
            order by 1
            """));
    }
}
