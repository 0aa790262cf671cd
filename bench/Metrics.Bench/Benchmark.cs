using System.Globalization;
using System.Text;

namespace Metrics.Bench;

/// <summary>How big a run is (Inserts: pgbench transactions per trigger-overhead run), and what to print at the top of its results.</summary>
internal sealed record BenchPlan(int Shops, int Days, int HistoryShops, int Inserts, string Command);

/// <summary>
/// The benchmark's measurements in one run, in order: generate the fleet, the floor F,
/// migrate, the first refresh, refresh --full, the nightly step, a refresh with nothing new, a
/// refresh after an update of one old app row, the analyst queries, the day check
/// (metrics_staging.mismatched_day), the trigger overhead on app inserts (pgbench); then the
/// nightly step on 30 and on 365 days of history in two more databases of HistoryShops shops.
/// Refresh targets hold the procedure's own time (its refresh_run row).
/// </summary>
internal sealed class Benchmark(string serverConnection, MetricsRunner runner, string pgbench, TextWriter log)
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
            AddRefresh(table, "first refresh (everything from scratch)", 2.5 * floor, "≤ 2.5 × F",
                await RefreshAsync(fleet, users, "refresh", "--as-of", Iso(asOf)));
            log.WriteLine("metrics refresh --full");
            AddRefresh(table, "`metrics refresh --full`", 2.5 * floor, "≤ 2.5 × F",
                await RefreshAsync(fleet, users, "refresh", "--full", "--as-of", Iso(asOf)));

            log.WriteLine("nightly step: one more day, then refresh");
            var nextDay = await fleet.AppendDaysAsync(1);
            asOf = fleet.NextNightlyAsOf;
            AddRefresh(table, $"nightly step: 1 new day on {plan.Days} days of history", 0.1 * floor, "≤ 0.1 × F",
                await RefreshAsync(fleet, users, "refresh", "--as-of", Iso(asOf)));

            log.WriteLine("refresh with nothing new, same as-of");
            AddRefresh(table, "refresh with nothing new (right after the nightly step, same as-of)", 0.02 * floor, "≤ 0.02 × F",
                await RefreshAsync(fleet, users, "refresh", "--as-of", Iso(asOf)));

            var updatedDay = await fleet.TouchOldEscalationAsync(BenchDatabase.FirstDay.AddDays(plan.Days / 2));
            log.WriteLine($"refresh after an update of one chatwoot.escalations row of {updatedDay:yyyy-MM-dd}, same as-of");
            AddRefresh(table,
                $"refresh after an update of one old app row (a chatwoot.escalations row of {updatedDay:yyyy-MM-dd}; F / {plan.Days} days = {ResultTable.FormatTime(floor / plan.Days)})",
                2 * floor / plan.Days, "≤ 2 × F / days",
                await RefreshAsync(fleet, users, "refresh", "--as-of", Iso(asOf)));

            log.WriteLine($"analyst queries (best of {BestOf})");
            foreach (var (label, best) in await queries.TimeAsync(fleet.DataSource, BestOf))
                table.AddTime($"`{label}` (best of {BestOf})", best, Target.AtMost(Interactive, "≤ 100 ms", best));

            log.WriteLine($"day check: metrics_staging.mismatched_day (best of {BestOf})");
            var dayCheck = await DayCheck.TimeAsync(fleet.DataSource, BestOf);
            table.AddTime($"day check: every day's row count and id sum compared with the app tables (metrics_staging.mismatched_day, best of {BestOf})",
                dayCheck.Best, Target.AtMost(0.05 * floor, "≤ 0.05 × F", dayCheck.Best));
            table.AddValue($"↳ differing days found (of {dayCheck.KeptSignatures:N0} kept day signatures before parsed_through {dayCheck.ParsedThrough:yyyy-MM-dd})",
                dayCheck.DifferingDays.ToString("N0", CultureInfo.InvariantCulture));

            log.WriteLine($"trigger overhead: pgbench, {TriggerOverhead.RunsEach} × {plan.Inserts} single-row inserts with and without {TriggerOverheadLabel}");
            var overhead = await new TriggerOverhead(pgbench, fleet.ConnectionString).MeasureAsync(fleet.DataSource, plan.Inserts, log);
            table.AddValue($"app INSERT of one \"DashboardFact\" row per transaction, {TriggerOverheadLabel} disabled: mean latency "
                + $"(pgbench, 1 client, {TriggerOverhead.RunsEach} runs of {plan.Inserts:N0})", TriggerOverheadResult.Format(overhead.WithoutMs));
            table.AddValue($"app INSERT, {TriggerOverheadLabel} enabled: mean latency ({TriggerOverhead.RunsEach} runs of {plan.Inserts:N0}, alternating with the above)",
                TriggerOverheadResult.Format(overhead.WithMs));
            table.AddValue("↳ trigger overhead per insert (enabled ÷ disabled − 1)", $"{overhead.OverheadPercent.ToString("0.0", CultureInfo.InvariantCulture)} %",
                Target.AtMost(5.0, "≤ 5 %", overhead.OverheadPercent));

            var history30 = await NightlyStepOnHistoryAsync(plan.HistoryShops, 30);
            var history365 = await NightlyStepOnHistoryAsync(plan.HistoryShops, 365);
            table.AddTime($"nightly step on 30 days of history, {plan.HistoryShops} shops: procedure", history30.Procedure);
            table.AddTime("↳ the runner's wall time (process start to exit)", history30.Elapsed);
            table.AddTime($"nightly step on 365 days of history, {plan.HistoryShops} shops: procedure ({history365.Procedure / history30.Procedure:0.00} × the 30-day step)",
                history365.Procedure, Target.AtMost(1.2 * history30.Procedure, "≤ 1.2 × the 30-day step", history365.Procedure));
            table.AddTime($"↳ the runner's wall time (process start to exit; {history365.Elapsed / history30.Elapsed:0.00} × the 30-day step)", history365.Elapsed);

            return Report(plan, server, size, generation, nextDay, table);
        }
    }

    private const string TriggerOverheadLabel = "trigger `metrics_fact_inserted`";

    private async Task<RefreshMeasurement> RefreshAsync(BenchDatabase database, ConcurrentUsers users, params string[] arguments)
    {
        var before = await ServerTempFiles.ReadAsync(database.DataSource);
        var (run, latencies) = await users.AroundAsync(() => runner.RunAsync(database.ConnectionString, [.. arguments, "--statement-timeout", "0"]));
        var tempFiles = await ServerTempFiles.ReadAsync(database.DataSource) - before;
        return new RefreshMeasurement(run, await RefreshRun.ReadNewestAsync(database.DataSource), tempFiles, latencies);
    }

    /// <summary>A refresh's rows: the procedure's time (held to <paramref name="limit"/>), the runner's wall time beside it, then what it did and what the users felt.</summary>
    private static void AddRefresh(ResultTable table, string name, TimeSpan limit, string targetText, RefreshMeasurement refresh)
    {
        var procedure = refresh.Procedure.Elapsed;
        table.AddTime($"{name}: procedure", procedure, Target.AtMost(limit, targetText, procedure));
        table.AddTime("↳ the runner's wall time (process start to exit)", refresh.Run.Elapsed);
        table.AddValue("↳ refresh_mode, app rows parsed (`refresh_run`)", $"{refresh.Procedure.Mode}, {refresh.Procedure.ParsedRows:N0} rows");
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
        return new HistoryStep(step.Elapsed, (await RefreshRun.ReadNewestAsync(history.DataSource)).Elapsed);
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
        text.AppendLine("- Refreshes: the targets hold the procedure's own time on the server (its `metrics.refresh_run` row, finished_at − started_at); "
            + "the runner's wall time, as a scheduler sees it, is the row under it.");
        text.AppendLine("- During each refresh: 2 analyst sessions loop over the analyst queries below (50 ms pause), "
            + "the app inserts one row into \"DashboardFact\" and one into \"DecisionLog\" every 100 ms.");
        text.AppendLine($"- Trigger overhead: pgbench (`--protocol prepared`, 1 client) inserting one \"DashboardFact\" row per transaction into the fleet database "
            + $"after its refreshes: a checkpoint, a warm-up run, then {TriggerOverhead.RunsEach} runs with the trigger enabled and {TriggerOverhead.RunsEach} with it disabled, alternating; "
            + "the mean of pgbench's \"latency average\" of each kind.");
        text.AppendLine();
        text.Append(table.ToMarkdown());
        text.AppendLine();
        text.AppendLine($"Targets met: {table.TargetsMet} of {table.Targets}.");
        return text.ToString();
    }

    private static string Iso(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One refresh: the runner's run, its refresh_run row, the server's temporary files, and the users' longest waits.</summary>
internal sealed record RefreshMeasurement(RunnerRun Run, RefreshRun Procedure, ServerTempFiles TempFiles, UserLatencies Latencies);

/// <summary>A nightly step of the history pair: the runner's wall time and the procedure's own time.</summary>
internal sealed record HistoryStep(TimeSpan Elapsed, TimeSpan Procedure);
