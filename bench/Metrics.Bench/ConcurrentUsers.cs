using System.Diagnostics;
using Npgsql;

namespace Metrics.Bench;

/// <summary>
/// The people around a refresh: a few analysts' sessions each running the analyst queries in
/// a loop (with a short pause), and the app inserting into "DashboardFact" and "DecisionLog"
/// at a steady rate. Each query's and insert's latency (lock waits included) is timed on the
/// client; the longest of each kind is the result.
/// </summary>
internal sealed class ConcurrentUsers(NpgsqlDataSource dataSource, IReadOnlyList<string> analystQueries)
{
    private const int Analysts = 2;
    private static readonly TimeSpan AnalystPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AppInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Runs <paramref name="action"/> while the analysts and the app work.</summary>
    public async Task<(T Result, UserLatencies Latencies)> AroundAsync<T>(Func<Task<T>> action)
    {
        using var stop = new CancellationTokenSource();
        var analysts = Enumerable.Range(0, Analysts).Select(index => AnalystAsync(index, stop.Token)).ToList();
        var app = AppAsync(stop.Token);
        T result;
        try
        {
            result = await action();
        }
        finally
        {
            await stop.CancelAsync();
        }
        var longestQueries = await Task.WhenAll(analysts);
        return (result, new UserLatencies(longestQueries.Max(), await app));
    }

    private async Task<TimeSpan> AnalystAsync(int index, CancellationToken stop)
    {
        var longest = TimeSpan.Zero;
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        for (var next = index; !stop.IsCancellationRequested; next++)
        {
            var clock = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand(analystQueries[next % analystQueries.Count], connection))
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
                while (await reader.ReadAsync(CancellationToken.None)) { }
            longest = Max(longest, clock.Elapsed);
            await Pause(AnalystPause, stop);
        }
        return longest;
    }

    private async Task<TimeSpan> AppAsync(CancellationToken stop)
    {
        var longest = TimeSpan.Zero;
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var fact = new NpgsqlCommand("""
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "updatedAt")
            values ('shop-00001.myshopify.com', 'dashboard.session.opened', 'ops',
                    jsonb_build_object('openedAt', now(), 'operatorEmail', 'probe@shop-1.example'), '{}', current_timestamp)
            """, connection);
        await using var decision = new NpgsqlCommand("""
            insert into "DecisionLog" (scope, actor, action, "shopDomain", "externalRef")
            values ('ops', 'probe@shop-1.example', 'chatwoot.reply.tpl-1', 'shop-00001.myshopify.com', 'chatwoot:1000000')
            """, connection);
        while (!stop.IsCancellationRequested)
        {
            foreach (var insert in (NpgsqlCommand[])[fact, decision])
            {
                var clock = Stopwatch.StartNew();
                await insert.ExecuteNonQueryAsync(CancellationToken.None);
                longest = Max(longest, clock.Elapsed);
            }
            await Pause(AppInterval, stop);
        }
        return longest;
    }

    private static async Task Pause(TimeSpan pause, CancellationToken stop)
    {
        try { await Task.Delay(pause, stop); }
        catch (OperationCanceledException) { }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>The longest single analyst query and the longest single app INSERT seen during an action.</summary>
internal sealed record UserLatencies(TimeSpan LongestAnalystQuery, TimeSpan LongestAppInsert);
