using System.CommandLine;
using System.Globalization;
using Metrics.Runner.Refresh;

namespace Metrics.Runner.Commands;

/// <summary>
/// <c>metrics refresh</c>: writes the three aggregate facts for the window as of an instant
/// (default now), or one fact set per UTC day with --backfill-from.
/// </summary>
public sealed class RefreshCommand : Command
{
    private static readonly Option<string?> AsOfOption = new("--as-of")
    {
        Description = "Refresh as of this instant (ISO-8601, e.g. 2025-10-05T02:00:00Z, or a UTC date). Default: now.",
        HelpName = "instant",
    };

    private static readonly Option<string?> BackfillFrom = new("--backfill-from")
    {
        Description = "Write one fact set per UTC day from this date (YYYY-MM-DD) up to today, ending with the views as of now.",
        HelpName = "date",
    };

    private static readonly Option<int> StatementTimeout = new("--statement-timeout")
    {
        Description = "Seconds one refresh may run before the server cancels it (0 = no limit).",
        HelpName = "seconds",
        DefaultValueFactory = _ => 1800,
        Validators = { result => { if (result.GetValueOrDefault<int>() < 0) result.AddError("--statement-timeout must be 0 (no limit) or more seconds."); } },
    };

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON result object on stdout (window, facts, timings, data-quality count); the readable lines go to stderr.",
    };

    private static readonly Option<bool> Full = new("--full")
    {
        Description = "Rebuild everything from scratch instead of processing only what changed since the last refresh.",
    };

    private static readonly Option<bool> Quiet = new("--quiet")
    {
        Description = "Print no progress lines on stderr (the procedure's stages as each ends, and a backfill's day N of M); results and errors are printed as usual.",
    };

    private static readonly Option<int> Retries = new("--retries")
    {
        Description = "Times to retry a refresh after a transient connection failure (server restarting, connection reset), waiting 1, 2, 4... s.",
        HelpName = "count",
        DefaultValueFactory = _ => 3,
        Validators = { result => { if (result.GetValueOrDefault<int>() is < 0 or > 10) result.AddError("--retries must be from 0 to 10."); } },
    };

    public static readonly CommandHelp Help = new(
        [
            new("metrics refresh", "the nightly job: the 7 UTC days before today"),
            new("metrics refresh --json > refresh.json 2> refresh.log", "one result object for a scheduler; progress and readable lines in the log"),
            new("metrics refresh --backfill-from 2025-10-01", "one fact set per day from that date, then as of now"),
            new("metrics refresh --as-of 2025-10-05 --full --quiet", "that day's facts, every day parsed again, no progress lines"),
        ],
        [ExitCodes.Success, ExitCodes.UnexpectedError, ExitCodes.UsageError, ExitCodes.ConnectionFailed, ExitCodes.AppTablesMissing,
         ExitCodes.LockTimeout, ExitCodes.NotMigrated, ExitCodes.StatementTimeout]);

    private readonly DatabaseCommandRunner _runner;
    private readonly TimeProvider _clock;

    public RefreshCommand(DatabaseCommandRunner runner, TimeProvider clock)
        : base("refresh", "Refresh the metrics (the tables behind the views) and write the aggregate facts for the 7-day window ending at the as-of UTC day.")
    {
        _runner = runner;
        _clock = clock;
        this.AddDatabaseOptions();
        Add(AsOfOption);
        Add(BackfillFrom);
        Add(Full);
        Add(CommonOptions.LockTimeout);
        Add(StatementTimeout);
        Add(Json);
        Add(Quiet);
        Add(Retries);
        SetAction((parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var errors = parseResult.InvocationConfiguration.Error;
            var json = parseResult.GetValue(Json);
            RefreshSeries? series = null;
            return _runner.RunAsync(parseResult, async (target, _) =>
            {
                if (!RefreshRequest.TryRead(parseResult.GetValue(AsOfOption), parseResult.GetValue(BackfillFrom), _clock.GetUtcNow(), out var request, out var usageError))
                {
                    errors.WriteLine($"error: {usageError}");
                    return ExitCodes.UsageError;
                }
                var options = new RefreshOptions(
                    TimeSpan.FromSeconds(parseResult.GetValue(CommonOptions.LockTimeout)),
                    TimeSpan.FromSeconds(parseResult.GetValue(StatementTimeout)),
                    parseResult.GetValue(Full));
                var progress = parseResult.GetValue(Quiet) ? TextWriter.Null : errors;
                series = new RefreshSeries(target, request, options, parseResult.GetValue(Retries), errors, progress, _clock);
                var readable = json ? errors : output;
                await foreach (var result in series.RunAsync(cancellationToken))
                    RenderLine(result, readable, errors);
                var report = series.Report;
                if (report.Refreshes[^1] is { Outcome: RefreshOutcome.Succeeded } last)
                    foreach (var fact in last.Facts)
                        readable.WriteLine($"  {FactSummary.Describe(fact)}");
                RenderEnd(report, json, output, errors);
                return ExitCode(report.Refreshes[^1].Outcome);
            },
            // an exception ends the series: the command runner reports it, and the report says where it stopped
            reportFailure: error => { if (series is not null) RenderEnd(series.Failed(error), json, output, errors); });
        });
    }

    private static void RenderLine(RefreshResult result, TextWriter readable, TextWriter errors)
    {
        if (result.Outcome != RefreshOutcome.Succeeded)
        {
            errors.WriteLine($"error: {result.Error}");
            return;
        }
        readable.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"refreshed as of {result.AsOf.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: window [{result.WindowStart:yyyy-MM-dd}, {result.WindowEnd:yyyy-MM-dd}) ") +
            $"in {result.Duration.TotalMilliseconds:0} ms ({DescribeMode(result)}); {result.DataQualityIssues} data-quality issue(s) skipped");
        if (result.RepairedDays is { Count: > 0 } repaired)
            readable.WriteLine(
                $"  repaired: {repaired.Count} day(s) whose app rows changed without the metrics triggers seeing it were parsed again: {RepairedDay.Describe(repaired)}. " +
                "They were written with the triggers disabled or bypassed, restored, written into a partition, or applied by logical replication; see docs/runbook.md, \"Writes the triggers did not see\".");
    }

    private static string DescribeMode(RefreshResult result) => result.Mode switch
    {
        "full" => $"full rebuild: all {result.ChangedRows} app input rows parsed",
        _ => $"incremental: {result.ChangedRows} app rows of new or changed UTC days parsed",
    };

    /// <summary>A backfill that stopped says what it wrote and how to go on; --json prints the result object.</summary>
    private static void RenderEnd(RefreshReport report, bool json, TextWriter output, TextWriter errors)
    {
        if (report.StoppedBackfill is { } stop)
            errors.WriteLine(stop.WroteNothing
                ? $"error: the backfill stopped at its first day, {stop.FailedDay:yyyy-MM-dd}; nothing was written. Fix the cause above, then run `metrics refresh --backfill-from {stop.From:yyyy-MM-dd}` again."
                : $"error: the backfill stopped at {stop.FailedDay:yyyy-MM-dd}: the days from {stop.From:yyyy-MM-dd} to {stop.FailedDay.AddDays(-1):yyyy-MM-dd} were written and the views show " +
                  $"{stop.FailedDay.AddDays(-1):yyyy-MM-dd}. Fix the cause above, then run `metrics refresh --backfill-from {stop.FailedDay:yyyy-MM-dd}`.");
        if (json)
            output.WriteLine(report.ToJson().ToJsonString(JsonOutput.Options));
    }

    private static int ExitCode(RefreshOutcome outcome) => outcome switch
    {
        RefreshOutcome.Succeeded => ExitCodes.Success,
        RefreshOutcome.NotMigrated => ExitCodes.NotMigrated,
        RefreshOutcome.AppTablesMissing => ExitCodes.AppTablesMissing,
        RefreshOutcome.LockTimeout => ExitCodes.LockTimeout,
        RefreshOutcome.StatementTimeout => ExitCodes.StatementTimeout,
        RefreshOutcome.AppSchemaMismatch => ExitCodes.UsageError,
        _ => ExitCodes.UnexpectedError,
    };
}
