namespace Metrics.Runner.Refresh;

/// <summary>
/// The line a backfill prints before each day: "day 3 of 30 (2025-10-07): about 1 min 10 s left",
/// the estimate being the average time of the days done so far times the days left (this one
/// included); the first day has none.
/// </summary>
public static class BackfillProgress
{
    /// <param name="done">Days refreshed so far; the day about to run is number done + 1.</param>
    /// <param name="elapsed">The time the days done took together.</param>
    public static string Describe(int done, int days, DateOnly day, TimeSpan elapsed)
    {
        var line = $"day {done + 1} of {days} ({day:yyyy-MM-dd})";
        return done == 0 ? line : $"{line}: about {Duration(elapsed / done * (days - done))} left";
    }

    /// <summary>"45 s", "1 min 10 s", "2 h 5 min": two units at most, rounded up to a whole second.</summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)Math.Max(1, Math.Ceiling(duration.TotalSeconds));
        return seconds switch
        {
            < 60 => $"{seconds} s",
            < 3600 => seconds % 60 == 0 ? $"{seconds / 60} min" : $"{seconds / 60} min {seconds % 60} s",
            _ => seconds / 60 % 60 == 0 ? $"{seconds / 3600} h" : $"{seconds / 3600} h {seconds / 60 % 60} min",
        };
    }
}
