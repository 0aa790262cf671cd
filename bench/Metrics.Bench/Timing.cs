using System.Diagnostics;

namespace Metrics.Bench;

internal static class Timing
{
    /// <summary>The shortest of <paramref name="runs"/> runs: on a shared machine the best run is the least disturbed one.</summary>
    public static async Task<TimeSpan> BestOfAsync(int runs, Func<Task> run)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await run();
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }
        return best;
    }
}
