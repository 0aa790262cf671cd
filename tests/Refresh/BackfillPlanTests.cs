using Metrics.Runner.Refresh;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>The instants a backfill refreshes as of, for a given server now.</summary>
public class Backfill_plan
{
    private static DateTimeOffset Utc(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Is_midnight_of_every_day_before_the_server_today_then_the_server_now()
    {
        var instants = BackfillPlan.Instants(new DateOnly(2025, 10, 1), Utc("2025-10-04T01:02:03.456Z"));

        Assert.Equal([Utc("2025-10-01T00:00:00Z"), Utc("2025-10-02T00:00:00Z"), Utc("2025-10-03T00:00:00Z"), Utc("2025-10-04T01:02:03.456Z")], instants);
    }

    [Fact]
    public void Is_only_the_server_now_when_it_starts_today()
    {
        Assert.Equal([Utc("2025-10-04T23:59:59Z")], BackfillPlan.Instants(new DateOnly(2025, 10, 4), Utc("2025-10-04T23:59:59Z")));
    }

    [Fact]
    public void Does_not_refresh_today_twice_when_the_server_now_is_midnight()
    {
        Assert.Equal([Utc("2025-10-03T00:00:00Z"), Utc("2025-10-04T00:00:00Z")], BackfillPlan.Instants(new DateOnly(2025, 10, 3), Utc("2025-10-04T00:00:00Z")));
    }
}
