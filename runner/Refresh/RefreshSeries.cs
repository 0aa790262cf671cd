using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Metrics.Runner.Database;

namespace Metrics.Runner.Refresh;

/// <summary>
/// The refreshes one <see cref="RefreshRequest"/> asks for, in order: one, or one per day of a
/// backfill, stopping at the first that does not succeed. Every step that reads the database,
/// the backfill's plan included, is retried after a transient connection failure.
/// <paramref name="progress"/> gets the procedure's stage lines and, before each day of a
/// backfill, which day it is and about how long the rest will take.
/// </summary>
public sealed class RefreshSeries(DatabaseTarget target, RefreshRequest request, RefreshOptions options, int retries, TextWriter log, TextWriter progress, TimeProvider clock)
{
    private readonly List<RefreshResult> _results = [];

    /// <summary>The step under way: the instant it refreshes as of, and its retries.</summary>
    private (DateTimeOffset AsOf, TransientRetry Retry)? _step;

    /// <summary>What the series did so far.</summary>
    public RefreshReport Report => new(request, _results);

    /// <summary>Yields each refresh's result as it ends.</summary>
    public async IAsyncEnumerable<RefreshResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IReadOnlyList<DateTimeOffset?> instants = [request.AsOf];
        if (request.BackfillFrom is { } from)
            instants = [.. (await StepAsync(BackfillPlan.Midnight(from), $"planning the backfill from {from:yyyy-MM-dd}",
                () => BackfillPlan.ReadAsync(target, from, cancellationToken), cancellationToken)).Value];
        var refresher = new MetricsRefresher(target, progress);
        var started = Stopwatch.GetTimestamp();
        for (var done = 0; done < instants.Count; done++)
        {
            var instant = instants[done];
            if (request.BackfillFrom is not null)
                progress.WriteLine(BackfillProgress.Describe(done, instants.Count, DateOnly.FromDateTime(instant!.Value.UtcDateTime), Stopwatch.GetElapsedTime(started)));
            var what = $"refresh as of {instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "now"}";
            var (result, attempts) = await StepAsync(instant ?? clock.GetUtcNow(), what, () => refresher.RefreshAsync(instant, options, cancellationToken), cancellationToken);
            result = result with { Attempts = attempts };
            _results.Add(result);
            yield return result;
            if (result.Outcome != RefreshOutcome.Succeeded)
                yield break;
        }
    }

    /// <summary>
    /// The report of a series stopped by an exception, which the caller describes as
    /// <paramref name="error"/>: the step under way failed with it.
    /// </summary>
    public RefreshReport Failed(string error) => _step is not { } step
        ? Report
        : new(request, [.. _results, new RefreshResult(RefreshOutcome.Failed, step.AsOf, TimeSpan.Zero) { Attempts = step.Retry.Attempts, Error = error }]);

    private async Task<(T Value, int Attempts)> StepAsync<T>(DateTimeOffset asOf, string what, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        var retry = new TransientRetry(retries, log);
        _step = (asOf, retry);
        var value = await retry.RunAsync(what, operation, cancellationToken);
        _step = null;
        return (value, retry.Attempts);
    }
}
