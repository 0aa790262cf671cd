using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>metrics.activation.rolling7d and metrics.shop_activation on tiny, hand-worked data.</summary>
public class Activation
{
    private const string AsOf = "2025-10-12T02:00:00Z"; // window [2025-10-05, 2025-10-12)

    [Fact]
    public async Task Counts_shops_first_seen_in_the_window_that_act_within_seven_days()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // a: first session 10-06 (a second one 10-07), ops decision 10-09      -> cohort, activated
        await db.SessionOpenedAsync("a.myshopify.com", "2025-10-06T10:00:00");
        await db.SessionOpenedAsync("a.myshopify.com", "2025-10-07T10:00:00");
        await db.DecisionAsync("a.myshopify.com", "chatwoot.approve_send", "2025-10-09T00:00:00", "chatwoot:1");
        // b: first session 10-08, only a scope build decision                  -> cohort, not activated
        await db.SessionOpenedAsync("b.myshopify.com", "2025-10-08T12:00:00");
        await db.DecisionAsync("b.myshopify.com", "deploy", "2025-10-08T13:00:00", scope: "build");
        // c: first session 10-01, before the window, acts 10-06                -> not in the cohort
        await db.SessionOpenedAsync("c.myshopify.com", "2025-10-01T00:00:00");
        await db.SessionOpenedAsync("c.myshopify.com", "2025-10-06T00:00:00");
        await db.DecisionAsync("c.myshopify.com", "chatwoot.escalate", "2025-10-06T01:00:00", "chatwoot:2");
        // d: first session 10-10, its only decision 10-09 is before it         -> cohort, not activated
        await db.SessionOpenedAsync("d.myshopify.com", "2025-10-10T00:00:00");
        await db.DecisionAsync("d.myshopify.com", "chatwoot.escalate", "2025-10-09T23:00:00", "chatwoot:3");
        // e: first session 10-11, decision 10-12T01:00 is at/after windowEnd   -> cohort, not activated (row not read)
        await db.SessionOpenedAsync("e.myshopify.com", "2025-10-11T20:00:00");
        await db.DecisionAsync("e.myshopify.com", "chatwoot.escalate", "2025-10-12T01:00:00", "chatwoot:4");
        // f: session created exactly at windowEnd                              -> ignored
        await db.SessionOpenedAsync("f.myshopify.com", "2025-10-12T00:00:00");
        // a whitespace-only shop                                               -> ignored
        await db.SessionOpenedAsync("   ", "2025-10-07T00:00:00");
        await db.DecisionAsync("   ", "chatwoot.escalate", "2025-10-07T01:00:00", "chatwoot:5");

        await db.RefreshAsync(AsOf);

        // cohort {a, b, d, e} = 4, activated {a} = 1, rate 1/4 = 0.25
        var fact = await db.SingleFactAsync("metrics.activation.rolling7d");
        Assert.Equal("2025-10-05T00:00:00.000Z", (string?)fact["windowStart"]);
        Assert.Equal("2025-10-12T00:00:00.000Z", (string?)fact["windowEnd"]);
        Assert.Equal(4, (int)fact["totalActiveShops"]!);
        Assert.Equal(1, (int)fact["activatedShops"]!);
        Assert.Equal(0.25m, (decimal)fact["activationRate"]!);

        var shops = await db.QueryAsync<(string Shop, bool IsActivated)>(
            "select shop_domain, is_activated from metrics.shop_activation order by shop_domain");
        Assert.Equal(
            [("a.myshopify.com", true), ("b.myshopify.com", false), ("c.myshopify.com", true), ("d.myshopify.com", false), ("e.myshopify.com", false)],
            shops);
    }

    [Fact]
    public async Task A_decision_exactly_seven_days_after_the_first_session_does_not_activate()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // first session 10-06T10:00; the deadline is 10-13T10:00 (exclusive)
        await db.SessionOpenedAsync("late.myshopify.com", "2025-10-06T10:00:00");
        await db.DecisionAsync("late.myshopify.com", "chatwoot.escalate", "2025-10-13T10:00:00", "chatwoot:1");
        await db.SessionOpenedAsync("in-time.myshopify.com", "2025-10-06T10:00:00");
        await db.DecisionAsync("in-time.myshopify.com", "chatwoot.escalate", "2025-10-13T09:59:59.999", "chatwoot:1");

        await db.RefreshAsync("2025-10-14T00:00:00Z"); // window [10-07, 10-14): both decisions are read

        var shops = await db.QueryAsync<(string Shop, bool IsActivated, bool IsComplete)>(
            "select shop_domain, is_activated, is_activation_window_complete from metrics.shop_activation order by shop_domain");
        Assert.Equal([("in-time.myshopify.com", true, true), ("late.myshopify.com", false, true)], shops);
    }

    [Fact]
    public async Task An_empty_cohort_has_rate_zero()
    {
        await using var db = await MetricsDatabase.CreateAsync();

        await db.RefreshAsync(AsOf);

        var fact = await db.SingleFactAsync("metrics.activation.rolling7d");
        Assert.Equal(0, (int)fact["totalActiveShops"]!);
        Assert.Equal(0, (int)fact["activatedShops"]!);
        Assert.Equal("0", fact["activationRate"]!.ToJsonString());
    }
}
