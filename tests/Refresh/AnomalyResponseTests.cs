using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>metrics.anomaly_response.rolling7d and metrics.landing_page_anomaly on tiny, hand-worked data.</summary>
public class AnomalyResponse
{
    private const string AsOf = "2025-10-12T02:00:00Z"; // window [2025-10-05, 2025-10-12)
    private const string Anomalies = "ga.sessions.anomalies";

    [Fact]
    public async Task Counts_flagged_pages_and_responses_within_24_hours()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // /a isAnomaly true; /b isAnomaly absent with wowDelta -0.25 (<= -0.2): both anomalies.
        // /c isAnomaly null (= absent) with wowDelta -0.1, /d isAnomaly false, "" empty page: none.
        await db.FactAsync("g.myshopify.com", Anomalies, "2025-10-07T06:00:00",
            """
            [{"landingPage": "/a", "sessions": 10, "wowDelta": -0.5, "isAnomaly": true},
             {"landingPage": "/b", "sessions": 30, "wowDelta": -0.25},
             {"landingPage": "/c", "sessions": 30, "wowDelta": -0.1, "isAnomaly": null},
             {"landingPage": "/d", "sessions": 30, "wowDelta": -0.9, "isAnomaly": false},
             {"landingPage": "", "sessions": 30, "wowDelta": -0.9, "isAnomaly": true}]
            """,
            """{"propertyId": "p1", "range": {"start": "2025-09-30", "end": "2025-10-06"}}""");
        // /a repeats in a later row with the same range end: still one anomaly, detected 06:00
        await db.FactAsync("g.myshopify.com", Anomalies, "2025-10-07T12:00:00",
            """[{"landingPage": "/a", "sessions": 9, "wowDelta": -0.6, "isAnomaly": true}]""",
            """{"propertyId": "p1", "range": {"start": "2025-09-30", "end": "2025-10-06"}}""");
        // /a answered 14 h after detection; /b 25 h after; /c answered but is no anomaly
        await db.DecisionAsync("g.myshopify.com", "seo.assignment.rewrite", "2025-10-07T20:00:00", payload: """{"landingPage": "/a"}""");
        await db.DecisionAsync("g.myshopify.com", "seo.assignment.rewrite", "2025-10-08T07:00:00", payload: """{"landingPage": "/b"}""");
        await db.DecisionAsync("g.myshopify.com", "seo.assignment.rewrite", "2025-10-07T07:00:00", payload: """{"landingPage": "/c"}""");

        await db.RefreshAsync(AsOf);

        // anomalies {/a, /b} = 2, responded within 24 h {/a} = 1, rate 0.5
        var fact = await db.SingleFactAsync("metrics.anomaly_response.rolling7d");
        Assert.Equal(2, (int)fact["totalAnomalies"]!);
        Assert.Equal(1, (int)fact["respondedWithin24h"]!);
        Assert.Equal(0.5m, (decimal)fact["responseRate"]!);
        var anomalies = await db.QueryAsync<(string Page, DateTime RangeEnd, bool Within24h)>(
            "select landing_page, range_end, is_responded_within_24h from metrics.landing_page_anomaly order by landing_page");
        Assert.Equal([("/a", new DateTime(2025, 10, 6), true), ("/b", new DateTime(2025, 10, 6), false)], anomalies);
    }

    [Fact]
    public async Task Uses_the_row_date_when_the_range_end_is_missing_and_a_response_needs_the_same_shop()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // no metadata.range: range end = createdAt date 2025-10-08
        await db.FactAsync("g.myshopify.com", Anomalies, "2025-10-08T06:00:00",
            """[{"landingPage": "/a", "sessions": 10, "wowDelta": -0.5, "isAnomaly": true}]""", """{"propertyId": "p1"}""");
        // a decision for the same page in another shop is no response
        await db.DecisionAsync("h.myshopify.com", "seo.assignment.rewrite", "2025-10-08T07:00:00", payload: """{"landingPage": "/a"}""");

        await db.RefreshAsync(AsOf);

        var anomalies = await db.QueryAsync<(DateTime RangeEnd, bool Within24h)>(
            "select range_end, is_responded_within_24h from metrics.landing_page_anomaly");
        Assert.Equal([(new DateTime(2025, 10, 8), false)], anomalies);
        var fact = await db.SingleFactAsync("metrics.anomaly_response.rolling7d");
        Assert.Equal(0m, (decimal)fact["responseRate"]!);
    }
}
