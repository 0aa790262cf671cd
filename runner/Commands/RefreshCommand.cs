using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Metrics.Runner.Database;
using Metrics.Runner.Refresh;
using Npgsql;

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

    private static readonly Option<int> Retries = new("--retries")
    {
        Description = "Times to retry a refresh after a transient connection failure (server restarting, connection reset), waiting 1, 2, 4... s.",
        HelpName = "count",
        DefaultValueFactory = _ => 3,
        Validators = { result => { if (result.GetValueOrDefault<int>() is < 0 or > 10) result.AddError("--retries must be from 0 to 10."); } },
    };

    private readonly DatabaseCommandRunner _runner;
    private readonly TimeProvider _clock;

    public RefreshCommand(DatabaseCommandRunner runner, TimeProvider clock)
        : base("refresh", "Refresh the materialized views and write the aggregate facts for the 7-day window ending at the as-of UTC day.")
    {
        _runner = runner;
        _clock = clock;
        this.AddDatabaseOptions();
        Add(AsOfOption);
        Add(BackfillFrom);
        Add(CommonOptions.LockTimeout);
        Add(StatementTimeout);
        Add(Json);
        Add(Retries);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            var errors = parseResult.InvocationConfiguration.Error;
            if (!TryReadRequest(parseResult, out var asOf, out var backfillFrom, out var usageError))
            {
                errors.WriteLine($"error: {usageError}");
                return ExitCodes.UsageError;
            }
            var options = new RefreshOptions(
                TimeSpan.FromSeconds(parseResult.GetValue(CommonOptions.LockTimeout)),
                TimeSpan.FromSeconds(parseResult.GetValue(StatementTimeout)));
            var json = parseResult.GetValue(Json);
            var readable = json ? errors : output;
            var instants = backfillFrom is { } from ? await BackfillInstantsAsync(target, from, cancellationToken) : [asOf];
            var refresher = new MetricsRefresher(target);
            var results = new List<RefreshResult>();
            var exitCode = ExitCodes.Success;
            TransientRetry? retry = null;
            try
            {
                foreach (var instant in instants)
                {
                    retry = new TransientRetry(parseResult.GetValue(Retries), errors);
                    var result = await retry.RunAsync(
                        $"refresh as of {instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "now"}",
                        () => refresher.RefreshAsync(instant, options, cancellationToken),
                        cancellationToken);
                    results.Add(result with { Attempts = retry.Attempts });
                    exitCode = Render(result, readable, errors, brief: backfillFrom is not null && instant != instants[^1]);
                    if (exitCode != ExitCodes.Success)
                    {
                        ReportStoppedBackfill(backfillFrom, instants, results.Count - 1, errors);
                        break;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReportStoppedBackfill(backfillFrom, instants, results.Count, errors);
                results.Add(new RefreshResult(RefreshOutcome.Failed, instants[results.Count] ?? DateTimeOffset.UtcNow, TimeSpan.Zero)
                {
                    Attempts = retry?.Attempts ?? 1,
                    Error = DatabaseErrors.DescribeConnectionFailure(e, target)
                            ?? (e is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : e.Message),
                });
                throw; // the command runner reports it on stderr with its exit code
            }
            finally
            {
                if (json)
                    output.WriteLine((backfillFrom is null && results.Count == 1
                            ? ToJson(results[0])
                            : new JsonObject { ["refreshes"] = new JsonArray([.. results.Select(ToJson)]) })
                        .ToJsonString(JsonOutput));
            }
            return exitCode;
        }));
    }

    /// <summary>
    /// Midnight of every UTC day from <paramref name="from"/> up to the server's today, then the
    /// server's now: read from the server, whose clock the refresh uses, so that a client clock
    /// off by minutes (or a run across midnight) cannot skip a day.
    /// </summary>
    private static async Task<List<DateTimeOffset?>> BackfillInstantsAsync(DatabaseTarget target, DateOnly from, CancellationToken cancellationToken)
    {
        DateTime serverNow;
        await using (var connection = await target.OpenAsync(cancellationToken))
            serverNow = await connection.ExecuteScalarAsync<DateTime>("select now()");
        var instants = new List<DateTimeOffset?>();
        for (var day = from; day < DateOnly.FromDateTime(serverNow); day = day.AddDays(1))
            instants.Add(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        instants.Add(new DateTimeOffset(serverNow, TimeSpan.Zero));
        return instants;
    }

    /// <summary>A backfill that stops says what it wrote and how to go on: each day committed on its own.</summary>
    private static void ReportStoppedBackfill(DateOnly? backfillFrom, List<DateTimeOffset?> instants, int failedIndex, TextWriter errors)
    {
        if (backfillFrom is not { } from || failedIndex >= instants.Count)
            return;
        var failedDay = DateOnly.FromDateTime(instants[failedIndex]!.Value.UtcDateTime);
        errors.WriteLine(failedIndex == 0
            ? $"error: the backfill stopped at its first day, {failedDay:yyyy-MM-dd}; nothing was written. Fix the cause above, then run `metrics refresh --backfill-from {from:yyyy-MM-dd}` again."
            : $"error: the backfill stopped at {failedDay:yyyy-MM-dd}: the days from {from:yyyy-MM-dd} to {failedDay.AddDays(-1):yyyy-MM-dd} were written and the views show " +
              $"{failedDay.AddDays(-1):yyyy-MM-dd}. Fix the cause above, then run `metrics refresh --backfill-from {failedDay:yyyy-MM-dd}`.");
    }

    /// <summary>Reads --as-of or --backfill-from (not both); neither means one refresh as of now.</summary>
    private bool TryReadRequest(ParseResult parseResult, out DateTimeOffset? asOf, out DateOnly? backfillFrom, out string error)
    {
        asOf = null;
        backfillFrom = null;
        error = "";
        var now = _clock.GetUtcNow();
        var asOfText = parseResult.GetValue(AsOfOption);
        var backfillText = parseResult.GetValue(BackfillFrom);
        if (asOfText is not null && backfillText is not null)
        {
            error = "give either --as-of or --backfill-from, not both.";
            return false;
        }
        if (backfillText is not null)
        {
            if (!DateOnly.TryParseExact(backfillText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            {
                error = $"invalid --backfill-from '{backfillText}': give a UTC date such as 2025-10-05.";
                return false;
            }
            if (from > DateOnly.FromDateTime(now.UtcDateTime))
            {
                error = $"--backfill-from {backfillText} is in the future.";
                return false;
            }
            if (from < AsOf.Earliest)
            {
                error = $"--backfill-from {backfillText} is before {AsOf.Earliest:yyyy-MM-dd}: give a date the app's data can cover.";
                return false;
            }
            backfillFrom = from;
            return true;
        }
        if (asOfText is null)
            return true;
        if (!AsOf.TryParse(asOfText, now, out var instant, out error))
            return false;
        asOf = instant;
        return true;
    }

    private static readonly JsonSerializerOptions JsonOutput = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static JsonObject ToJson(RefreshResult result) => new()
    {
        ["outcome"] = JsonNamingPolicy.CamelCase.ConvertName(result.Outcome.ToString()),
        ["asOf"] = Instant(result.AsOf.UtcDateTime),
        ["windowStart"] = result.WindowStart is { } start ? Instant(start) : null,
        ["windowEnd"] = result.WindowEnd is { } end ? Instant(end) : null,
        ["durationMs"] = (long)result.Duration.TotalMilliseconds,
        ["attempts"] = result.Attempts,
        ["dataQualityIssues"] = result.DataQualityIssues,
        ["facts"] = new JsonObject(result.Facts.Select(f => KeyValuePair.Create<string, JsonNode?>(
            f.FactType, new JsonObject { ["value"] = f.Value.DeepClone(), ["metadata"] = f.Metadata.DeepClone() }))),
        ["error"] = result.Error,
    };

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static int Render(RefreshResult result, TextWriter output, TextWriter errors, bool brief)
    {
        if (result.Outcome != RefreshOutcome.Succeeded)
        {
            errors.WriteLine($"error: {result.Error}");
            return result.Outcome switch
            {
                RefreshOutcome.NotMigrated => ExitCodes.NotMigrated,
                RefreshOutcome.AppTablesMissing => ExitCodes.AppTablesMissing,
                RefreshOutcome.LockTimeout => ExitCodes.LockTimeout,
                RefreshOutcome.StatementTimeout => ExitCodes.StatementTimeout,
                RefreshOutcome.AppSchemaMismatch => ExitCodes.UsageError,
                _ => ExitCodes.UnexpectedError,
            };
        }

        output.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"refreshed as of {result.AsOf.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: window [{result.WindowStart:yyyy-MM-dd}, {result.WindowEnd:yyyy-MM-dd}) ") +
            $"in {result.Duration.TotalMilliseconds:0} ms; {result.DataQualityIssues} data-quality issue(s) skipped");
        if (brief)
            return ExitCodes.Success;
        foreach (var fact in result.Facts)
            output.WriteLine($"  {FactSummary.Describe(fact)}");
        return ExitCodes.Success;
    }
}
