using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Metrics.Runner.Database;
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
        Validators = { result => { if (result.GetValueOrDefault<int>() < 0) result.AddError("--retries must be 0 or more."); } },
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
            if (!TryReadInstants(parseResult, out var instants, out var usageError))
            {
                errors.WriteLine($"error: {usageError}");
                return ExitCodes.UsageError;
            }
            var options = new RefreshOptions(
                TimeSpan.FromSeconds(parseResult.GetValue(CommonOptions.LockTimeout)),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(StatementTimeout))));
            var json = parseResult.GetValue(Json);
            var readable = json ? errors : output;
            var refresher = new MetricsRefresher(target);
            var results = new List<RefreshResult>();
            var exitCode = ExitCodes.Success;
            try
            {
                foreach (var asOf in instants)
                {
                    var retry = new TransientRetry(parseResult.GetValue(Retries), errors);
                    var result = await retry.RunAsync(
                        $"refresh as of {asOf?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") ?? "now"}",
                        () => refresher.RefreshAsync(asOf, options, cancellationToken),
                        cancellationToken);
                    results.Add(result with { Attempts = retry.Attempts });
                    exitCode = Render(result, readable, errors, brief: instants.Count > 1 && asOf is not null);
                    if (exitCode != ExitCodes.Success)
                        break;
                }
            }
            catch (Exception e) when (json && e is not OperationCanceledException)
            {
                // the failure itself is reported on stderr by the command runner; stdout still gets a result object
                results.Add(new RefreshResult(RefreshOutcome.Failed, instants[results.Count] ?? DateTimeOffset.UtcNow, TimeSpan.Zero)
                {
                    Error = DatabaseErrors.DescribeConnectionFailure(e, target) ?? "the refresh failed: see the error on stderr.",
                });
                throw;
            }
            finally
            {
                if (json)
                    output.WriteLine((results.Count == 1 ? ToJson(results[0]) : new JsonObject { ["refreshes"] = new JsonArray([.. results.Select(ToJson)]) })
                        .ToJsonString(JsonOutput));
            }
            return exitCode;
        }));
    }

    /// <summary>The as-of instants to refresh, in order; null means "now" (decided by the server).</summary>
    private bool TryReadInstants(ParseResult parseResult, out List<DateTimeOffset?> instants, out string error)
    {
        instants = [];
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
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (from > today)
            {
                error = $"--backfill-from {backfillText} is in the future.";
                return false;
            }
            for (var day = from; day < today; day = day.AddDays(1))
                instants.Add(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
            instants.Add(null);
            return true;
        }
        if (asOfText is null)
        {
            instants.Add(null);
            return true;
        }
        if (!AsOf.TryParse(asOfText, now, out var asOf, out error))
            return false;
        instants.Add(asOf);
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
        switch (result.Outcome)
        {
            case RefreshOutcome.NotMigrated:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.NotMigrated;
            case RefreshOutcome.AppTablesMissing:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.AppTablesMissing;
            case RefreshOutcome.LockTimeout:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.LockTimeout;
            case RefreshOutcome.StatementTimeout:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.StatementTimeout;
        }

        output.WriteLine(
            $"refreshed as of {result.AsOf.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: window [{result.WindowStart:yyyy-MM-dd}, {result.WindowEnd:yyyy-MM-dd}) " +
            $"in {result.Duration.TotalMilliseconds:0} ms; {result.DataQualityIssues} data-quality issue(s) skipped");
        if (brief)
            return ExitCodes.Success;
        foreach (var fact in result.Facts)
            output.WriteLine($"  {FactSummary.Describe(fact)}");
        return ExitCodes.Success;
    }
}
