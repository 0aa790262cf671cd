using Metrics.Runner.Refresh;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>The line a backfill prints before each day, and its estimate of the time left.</summary>
public class Backfill_progress
{
    [Fact]
    public void Names_the_day_and_estimates_the_rest_from_the_days_done()
    {
        var day = new DateOnly(2025, 10, 7);

        Assert.Equal("day 1 of 30 (2025-10-07)", BackfillProgress.Describe(0, 30, day, TimeSpan.Zero));
        // 2 days in 5 s: 2.5 s a day, 28 days left
        Assert.Equal("day 3 of 30 (2025-10-07): about 1 min 10 s left", BackfillProgress.Describe(2, 30, day, TimeSpan.FromSeconds(5)));
        Assert.Equal("day 30 of 30 (2025-10-07): about 1 s left", BackfillProgress.Describe(29, 30, day, TimeSpan.FromMilliseconds(290)));
    }

    [Theory]
    [InlineData(0.2, "1 s")]
    [InlineData(45, "45 s")]
    [InlineData(120, "2 min")]
    [InlineData(3599.5, "1 h")]
    [InlineData(7500, "2 h 5 min")]
    public void Rounds_up_to_two_units(double seconds, string expected) =>
        Assert.Equal(expected, BackfillProgress.Duration(TimeSpan.FromSeconds(seconds)));
}
