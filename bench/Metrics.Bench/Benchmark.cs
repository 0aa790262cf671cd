using System.Globalization;
using System.Text;

namespace Metrics.Bench;

/// <summary>How big a run is, and what to print at the top of its results.</summary>
internal sealed record BenchPlan(int Shops, int Days, int HistoryShops, string Command);

/// <summary>
/// The measurements of issue 8 in one run, in order: generate the fleet, the floor F, migrate,
/// the first refresh, refresh --full, the nightly step, the analyst queries; then the nightly
/// step on 30 and on 365 days of history in two more databases of HistoryShops shops.
/// </summary>
internal sealed class Benchmark(string serverConnection, MetricsRunner runner, TextWriter log)
{
    private const int BestOf = 3;
    private static readonly TimeSpan Interactive = TimeSpan.FromMilliseconds(100);

    public async Task<string> RunAsync(BenchPlan plan)
    {
        await using var fleet = await BenchDatabase.CreateAsync(serverConnection, "bench_fleet", plan.Shops);
        log.WriteLine($"generating {plan.Shops} shops × {plan.Days} days");
        var generation = await fleet.AppendDaysAsync(plan.Days);
        await fleet.VacuumAnalyzeAsync();
        var size = await fleet.MeasureSizeAsync();
        log.WriteLine($"  {size}, in {ResultTable.FormatTime(generation)}");
        var server = await ServerFacts.ReadAsync(fleet.DataSource);

        log.WriteLine($"floor F (best of {BestOf})");
        await using (var connection = await fleet.DataSource.OpenConnectionAsync())
        {
            var floorSql = Sql.Read("floor.sql");
            var floor = await Timing.BestOfAsync(BestOf, () => AnalystQueries.ReadAllAsync(connection, floorSql));
            var table = new ResultTable(floor);
            table.AddTime($"floor F: one pass unnesting every element the metrics read, fields as text, all history (best of {BestOf}: warm cache)", floor);

            log.WriteLine("metrics migrate");
            table.AddTime("`metrics migrate` (index builds included)", (await runner.RunAsync(fleet.ConnectionString, "migrate")).Elapsed);

            var queries = await AnalystQueries.FindAsync(fleet.DataSource);
            var users = new ConcurrentUsers(fleet.DataSource, [.. queries.Queries.Select(query => query.Sql)]);
            var asOf = fleet.NextNightlyAsOf;
            log.WriteLine($"first refresh as of {Iso(asOf)}");
            AddRefresh(table, "first refresh (everything from scratch)", null,
                await RefreshAsync(fleet, users, "refresh", "--as-of", Iso(asOf)));
            log.WriteLine("metrics refresh --full");
            var full = await RefreshAsync(fleet, users, "refresh", "--full", "--as-of", Iso(asOf));
            AddRefresh(table, "`metrics refresh --full`", Target.AtMost(3 * floor, "≤ 3 × F", full.Run.Elapsed), full);

            log.WriteLine("nightly step: one more day, then refresh");
            var nextDay = await fleet.AppendDaysAsync(1);
            var nightly = await RefreshAsync(fleet, users, "refresh", "--as-of", Iso(fleet.NextNightlyAsOf));
            AddRefresh(table, $"nightly step: 1 new day on {plan.Days} days of history",
                Target.AtMost(0.2 * floor, "≤ 0.2 × F", nightly.Run.Elapsed), nightly);

            log.WriteLine($"analyst queries (best of {BestOf})");
            foreach (var (label, best) in await queries.TimeAsync(fleet.DataSource, BestOf))
                table.AddTime($"`{label}` (best of {BestOf})", best, Target.AtMost(Interactive, "≤ 100 ms", best));

            var history30 = await NightlyStepOnHistoryAsync(plan.HistoryShops, 30);
            var history365 = await NightlyStepOnHistoryAsync(plan.HistoryShops, 365);
            table.AddTime($"nightly step on 30 days of history, {plan.HistoryShops} shops", history30.Elapsed);
            table.AddTime($"nightly step on 365 days of history, {plan.HistoryShops} shops ({history365.Elapsed / history30.Elapsed:0.00} × the 30-day step)",
                history365.Elapsed, Target.AtMost(1.5 * history30.Elapsed, "≤ 1.5 × the 30-day step", history365.Elapsed));
            table.AddTime($"↳ the procedure alone: 30 days {ResultTable.FormatTime(history30.Procedure)}, 365 days ({history365.Procedure / history30.Procedure:0.00} ×)",
                history365.Procedure);

            return Report(plan, server, size, generation, nextDay, table);
        }
    }

    private async Task<RefreshMeasurement> RefreshAsync(BenchDatabase database, ConcurrentUsers users, params string[] arguments)
    {
        var before = await ServerTempFiles.ReadAsync(database.DataSource);
        var (run, latencies) = await users.AroundAsync(() => runner.RunAsync(database.ConnectionString, [.. arguments, "--statement-timeout", "0"]));
        var tempFiles = await ServerTempFiles.ReadAsync(database.DataSource) - before;
        return new RefreshMeasurement(run, await ProcedureTimeAsync(database), tempFiles, latencies);
    }

    /// <summary>How long the newest refresh's procedure ran on the server (its run row), without the runner's start and connection.</summary>
    private static async Task<TimeSpan> ProcedureTimeAsync(BenchDatabase database)
    {
        await using var command = database.DataSource.CreateCommand(
            "select finished_at - started_at from metrics.refresh_run order by refresh_run_id desc limit 1");
        return (TimeSpan)(await command.ExecuteScalarAsync())!;
    }

    private static void AddRefresh(ResultTable table, string name, Target? target, RefreshMeasurement refresh)
    {
        table.AddTime(name, refresh.Run.Elapsed, target);
        table.AddTime("↳ of it, the procedure on the server (`refresh_run` finished − started)", refresh.ProcedureTime);
        var latencies = refresh.Latencies;
        table.AddTime("↳ longest analyst query during it (latency, lock waits included)", latencies.LongestAnalystQuery,
            Target.AtMost(Interactive, "≤ 100 ms", latencies.LongestAnalystQuery));
        table.AddTime("↳ longest app INSERT during it (latency, lock waits included)", latencies.LongestAppInsert,
            Target.AtMost(Interactive, "≤ 100 ms", latencies.LongestAppInsert));
        table.AddValue("↳ runner peak memory (max RSS)", $"{refresh.Run.PeakBytes / 1e6:0} MB");
        table.AddValue("↳ server temporary files", refresh.TempFiles.ToString());
    }

    /// <summary>The nightly step on a fresh database of <paramref name="days"/> days of history, refreshed up to its last day first.</summary>
    private async Task<HistoryStep> NightlyStepOnHistoryAsync(int shops, int days)
    {
        log.WriteLine($"nightly step on {days} days of history, {shops} shops");
        await using var history = await BenchDatabase.CreateAsync(serverConnection, $"bench_history_{days}", shops);
        await history.AppendDaysAsync(days);
        await history.VacuumAnalyzeAsync();
        await runner.RunAsync(history.ConnectionString, "migrate");
        await runner.RunAsync(history.ConnectionString, "refresh", "--as-of", Iso(history.NextNightlyAsOf), "--statement-timeout", "0");
        await history.AppendDaysAsync(1);
        var step = await runner.RunAsync(history.ConnectionString, "refresh", "--as-of", Iso(history.NextNightlyAsOf), "--statement-timeout", "0");
        return new HistoryStep(step.Elapsed, await ProcedureTimeAsync(history));
    }

    private static string Report(BenchPlan plan, ServerFacts server, DataSize size, TimeSpan generation, TimeSpan nextDay, ResultTable table)
    {
        var text = new StringBuilder();
        text.AppendLine($"Command: `{plan.Command}`, run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        text.AppendLine();
        text.AppendLine($"- Machine: {ServerFacts.Machine()}; PostgreSQL {server.Version} ({server.Settings}).");
        text.AppendLine($"- Data: {plan.Shops} shops × {plan.Days} days from {BenchDatabase.FirstDay:yyyy-MM-dd} (seed {BenchDatabase.Seed}): {size}; "
            + $"generated in {ResultTable.FormatTime(generation)}, the nightly day in {ResultTable.FormatTime(nextDay)}.");
        text.AppendLine($"- History pair: {plan.HistoryShops} shops, same rows per shop and day.");
        text.AppendLine("- During each refresh: 2 analyst sessions loop over the analyst queries below (50 ms pause), "
            + "the app inserts one row into \"DashboardFact\" and one into \"DecisionLog\" every 100 ms.");
        text.AppendLine();
        text.Append(table.ToMarkdown());
        text.AppendLine();
        text.AppendLine($"Targets of issue 8 (point 3) met: {table.TargetsMet} of {table.Targets}.");
        return text.ToString();
    }

    private static string Iso(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One refresh: the runner's run, the procedure's own time, the server's temporary files, and the users' longest waits.</summary>
internal sealed record RefreshMeasurement(RunnerRun Run, TimeSpan ProcedureTime, ServerTempFiles TempFiles, UserLatencies Latencies);

/// <summary>A nightly step of the history pair: the runner's wall time and the procedure's own time.</summary>
internal sealed record HistoryStep(TimeSpan Elapsed, TimeSpan Procedure);
