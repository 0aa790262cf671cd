using System.CommandLine;
using Dapper;
using Metrics.Runner.Database;
using Metrics.Runner.Migrations;
using Metrics.Runner.Refresh;

namespace Metrics.Runner.Commands;

/// <summary>
/// <c>metrics status</c>: what is applied, pending and drifted on a database. Changes nothing.
/// Exits non-zero when the database is not up to date, so a deploy pipeline can gate on it.
/// </summary>
public sealed class StatusCommand : Command
{
    private static readonly Option<double?> MaxAge = new("--max-age")
    {
        Description = "Exit non-zero (code 10) when the newest facts' windowEnd is more than this many hours ago: for monitoring that the nightly refresh ran (26 for a 02:00 UTC job, checked after it normally ends, as docs/runbook.md suggests).",
        HelpName = "hours",
        Validators = { result => { if (result.GetValueOrDefault<double?>() is { } hours && !(hours > 0 && hours <= 8760)) result.AddError("--max-age must be a number of hours above 0 and at most 8760."); } },
    };

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON object on stdout (scripts, last refresh, freshness, data quality, triggers, exit code); the readable lines go to stderr.",
    };

    public static readonly CommandHelp Help = new(
        [
            new("metrics status", "scripts, last refresh, freshness, triggers"),
            new("metrics status --max-age 26", "monitoring after a 02:00 UTC refresh: exit 10 when it has not run"),
            new("metrics status --json --max-age 26", "the same as one JSON object on stdout"),
        ],
        [ExitCodes.Success, ExitCodes.UnexpectedError, ExitCodes.UsageError, ExitCodes.ConnectionFailed, ExitCodes.AppTablesMissing,
         ExitCodes.ScriptFailed, ExitCodes.DriftDetected, ExitCodes.MigrationsPending, ExitCodes.Stale, ExitCodes.TriggersNotFiring]);

    private readonly DatabaseCommandRunner _runner;

    public StatusCommand(DatabaseCommandRunner runner)
        : base("status", "Show applied, pending and drifted scripts and how fresh the metrics are; exit 0 only when up to date.")
    {
        _runner = runner;
        this.AddDatabaseOptions();
        Add(ScriptOptions.Scripts);
        Add(MaxAge);
        Add(Json);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            var errors = parseResult.InvocationConfiguration.Error;
            var json = parseResult.GetValue(Json);
            var readable = json ? errors : output;
            var report = await ReadAsync(target, ScriptOptions.Resolve(parseResult), parseResult.GetValue(MaxAge), readable, cancellationToken);
            WriteLines(report, readable);
            WriteErrors(report, errors);
            if (json)
                output.WriteLine(report.ToJson().ToJsonString(JsonOutput.Options));
            return report.ExitCode;
        }));
    }

    /// <param name="log">Where DbUp's warnings go as it reads the plan.</param>
    private static async Task<StatusReport> ReadAsync(DatabaseTarget target, ScriptSource scripts, double? maxAgeHours, TextWriter log, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync(cancellationToken);
        var server = await connection.ExecuteScalarAsync<string>("select current_setting('server_version')");
        var migrator = new Migrator(target, scripts, log);
        var missingTables = await AppTables.FindMissingAsync(connection, target);
        var plan = migrator.ReadPlan(connection);
        var freshness = missingTables is null ? await Freshness.ReadAsync(connection) : null;
        var triggers = missingTables is null ? await ChangeTriggers.ReadAsync(connection) : null;
        var subscriptions = triggers is null ? 0 : await ChangeTriggers.CountSubscriptionsAsync(connection);
        return new StatusReport(target, server!, missingTables, plan, freshness, triggers, subscriptions,
            maxAgeHours is { } hours ? TimeSpan.FromHours(hours) : null);
    }

    private static void WriteLines(StatusReport report, TextWriter output)
    {
        var plan = report.Plan;
        output.WriteLine($"database:   {report.Target.Description} (PostgreSQL {report.ServerVersion}), app schema \"{report.Target.AppSchema}\"");
        output.WriteLine($"app tables: {(report.MissingTables is null ? "found" : "MISSING")}");
        WriteApplied(plan, output);
        WritePending(plan, output);
        WriteDrift(plan, output);
        foreach (var name in plan.AppliedButNotShipped)
            output.WriteLine($"note: {name} is applied but not shipped with this tool (a newer version applied it?)");
        WriteFreshness(report.Freshness, output);
        WriteTriggers(report.Triggers, report.NotFiring, output);
        if (report.Subscriptions > 0)
            output.WriteLine($"note: this database subscribes to logical replication ({report.Subscriptions} subscription(s)): the rows it applies fire no statement trigger, " +
                             "so each refresh finds their days by comparing day signatures and reports them as repaired (docs/runbook.md, \"Writes the triggers did not see\").");
        output.WriteLine($"status:     {(report.Problems.Count == 0 ? "up to date" : string.Join(", ", report.Problems))}");
    }

    private static void WriteErrors(StatusReport report, TextWriter errors)
    {
        if (report.MissingTables is not null)
        {
            errors.WriteLine($"error: {report.MissingTables}");
            return;
        }
        var notFiring = report.NotFiring;
        if (notFiring.Count > 0)
            errors.WriteLine(
                $"error: {notFiring.Count} of the metrics triggers on the app tables do not fire for the app's writes ({string.Join(", ", notFiring.Select(t => $"{t.TriggerName}: {t.State}"))}). " +
                "Nothing is lost: each refresh finds the days they miss and parses them again (it reports them as repaired), at a cost. " +
                "See docs/runbook.md, \"Writes the triggers did not see\": ALTER TABLE ... ENABLE TRIGGER enables one; CALL metrics_staging.install_change_triggers() re-creates a missing one.");
        if (report.IsStale)
            errors.WriteLine(
                report.Freshness?.Age is { } age
                    ? $"error: the newest facts are {age.TotalHours:0.#} h old, more than --max-age {report.MaxAge!.Value.TotalHours:0.#}: the nightly refresh has not run; see docs/runbook.md."
                    : "error: no facts have been written yet (or one metric type is missing): run `metrics refresh`; see docs/runbook.md.");
    }

    private static void WriteFreshness(Freshness? freshness, TextWriter output)
    {
        if (freshness is null)
            return;
        output.WriteLine(freshness.Last is { } last
            ? $"last refresh: as of {last.AsOf:yyyy-MM-dd HH:mm:ss}Z, window [{last.WindowStart:yyyy-MM-dd}, {last.WindowEnd:yyyy-MM-dd}), " +
              $"ran {last.StartedAt:yyyy-MM-dd HH:mm:ss}Z for {last.Duration?.TotalMilliseconds ?? 0:0} ms by {last.RefreshedBy}"
            : "last refresh: never (run `metrics refresh`)");
        output.WriteLine($"views:        {string.Join(", ", freshness.Views.Select(v => $"{v.View} {v.Rows} rows"))}");
        output.WriteLine($"data quality: {freshness.Last?.DataQualityIssues ?? 0} issue(s) skipped (metrics.data_quality_issue)");
        output.WriteLine(freshness.NewestWindowEnd is { } windowEnd
            ? $"freshness:    newest facts have windowEnd {windowEnd:yyyy-MM-dd HH:mm}Z; what readers see is {freshness.Age!.Value.TotalHours:0.#} h old"
            : "freshness:    no complete set of facts yet");
        if (freshness.ViewsLagFacts)
            output.WriteLine($"note: the views show the data as of {freshness.Last!.WindowEnd:yyyy-MM-dd}, older than the newest facts: run `metrics refresh` (a backfill stopped part way?)");
    }

    private static void WriteTriggers(IReadOnlyList<ChangeTrigger>? triggers, IReadOnlyList<ChangeTrigger> notFiring, TextWriter output)
    {
        if (triggers is null)
            return;
        output.WriteLine(notFiring.Count == 0
            ? $"triggers:     all {triggers.Count} enabled (changes to the app tables are logged)"
            : $"triggers:     {notFiring.Count} of {triggers.Count} not firing: {string.Join(", ", notFiring.Select(t => $"{t.TriggerName} on {t.AppTable} {t.State}"))}");
    }

    private static void WriteApplied(MigrationPlan plan, TextWriter output)
    {
        output.WriteLine($"applied ({plan.Applied.Count}):");
        var width = plan.Applied.Select(e => e.ScriptName.Length).DefaultIfEmpty(0).Max();
        foreach (var entry in plan.Applied)
            output.WriteLine($"  {entry.ScriptName.PadRight(width)}  {entry.AppliedAt:yyyy-MM-dd HH:mm:ss}Z  {entry.DurationMs,6} ms  by {entry.AppliedBy}");
    }

    private static void WritePending(MigrationPlan plan, TextWriter output)
    {
        output.WriteLine($"pending ({plan.Pending.Count}):");
        foreach (var script in plan.Pending)
            output.WriteLine(script.Kind == ScriptKind.Repeatable
                ? $"  {script.Name} ({script.KindName}, {plan.WhyPending(script)})"
                : $"  {script.Name} ({script.KindName})");
    }

    private static void WriteDrift(MigrationPlan plan, TextWriter output)
    {
        if (plan.Drifted.Count == 0)
            return;
        output.WriteLine($"drift ({plan.Drifted.Count}): applied scripts changed since they ran; never edit an applied migration, add a new one:");
        foreach (var drift in plan.Drifted)
            output.WriteLine($"  {drift.Name}: applied {drift.AppliedChecksum[..12]}, now {drift.CurrentChecksum[..12]}");
    }
}
