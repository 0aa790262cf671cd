using Metrics.Tests.Infrastructure;

namespace Metrics.Tests.Refresh;

/// <summary>
/// A small fixed data set touching every metric, for the snapshot and property tests. The
/// hand-worked numbers live in the per-metric tests; here only stability matters.
/// </summary>
public static class FixedDataSet
{
    public const string AsOf = "2025-10-12T02:00:00Z"; // window [2025-10-05, 2025-10-12)

    public static async Task LoadAsync(MetricsDatabase db)
    {
        foreach (var (shop, at) in new[]
                 {
                     ("a.myshopify.com", "2025-10-06T10:00:00"), ("a.myshopify.com", "2025-10-07T10:00:00"),
                     ("b.myshopify.com", "2025-10-08T12:00:00"), ("c.myshopify.com", "2025-10-01T00:00:00"),
                     ("d.myshopify.com", "2025-10-10T23:30:00"), ("e.myshopify.com", "2025-10-11T20:00:00"),
                 })
            await db.SessionOpenedAsync(shop, at);
        await db.DecisionAsync("a.myshopify.com", "chatwoot.approve_send", "2025-10-09T00:00:00", "chatwoot:101");
        await db.DecisionAsync("b.myshopify.com", "deploy", "2025-10-08T13:00:00", scope: "build");
        await db.DecisionAsync("d.myshopify.com", "chatwoot.escalate", "2025-10-11T00:30:00", "chatwoot:7");

        await db.FactAsync("a.myshopify.com", "chatwoot.escalations", "2025-10-06T09:00:00",
            """
            [{"id": 101, "inboxId": 1, "status": "open", "customerName": "Ann Customer", "createdAt": "2025-10-06T07:00:00Z",
              "breachedAt": "2025-10-06T08:30:00+01:00", "lastMessageAt": "2025-10-06T08:50:00Z", "slaBreached": true,
              "tags": ["vip"], "suggestedReplyId": "t1", "suggestedReply": "Hello Ann", "messages": [{"content": "Where is my order?"}]},
             {"id": "102", "slaBreached": true, "breachedAt": "2025-10-06T08:10:00"},
             {"id": 1.5, "slaBreached": true, "breachedAt": "2025-10-06T08:10:00Z"}]
            """,
            """{"slaMinutes": 30, "count": 3, "breaches": [{"conversationId": 101, "breachedAt": "2025-10-06T07:30:00Z", "createdAt": "2025-10-06T07:00:00Z"}], "generatedAt": "2025-10-06T09:00:00Z"}""");
        await db.FactAsync("a.myshopify.com", "chatwoot.escalations", "2025-10-03T09:00:00",
            """[{"id": 90, "slaBreached": true, "createdAt": "2025-10-03T08:00:00Z"}]""", """{"slaMinutes": 45}""");
        await db.FactAsync("d.myshopify.com", "chatwoot.escalations", "2025-10-11T00:00:00",
            """[{"id": 101, "slaBreached": true, "breachedAt": "2025-10-11T00:00:00Z"}, {"id": 7, "slaBreached": true, "breachedAt": "2025-10-10T23:55:00Z"}]""",
            """{"slaMinutes": 30}""");
        await db.DecisionAsync("a.myshopify.com", "chatwoot.reply.t1", "2025-10-06T07:10:00", "chatwoot:101");
        await db.DecisionAsync("a.myshopify.com", "chatwoot.reply.t1", "2025-10-06T07:55:00", "chatwoot:101");
        await db.DecisionAsync("a.myshopify.com", "chatwoot.mark_resolved", "2025-10-06T09:20:00", "chatwoot:0102");
        await db.DecisionAsync("a.myshopify.com", "chatwoot.mark_resolved", "2025-10-03T10:00:00", "chatwoot:90");
        await db.DecisionAsync("a.myshopify.com", "chatwoot.reply.t1", "2025-10-06T09:30:00", "chatwoot:x");

        await db.FactAsync("a.myshopify.com", "ga.sessions.anomalies", "2025-10-07T06:00:00",
            """[{"landingPage": "/a", "sessions": 10, "wowDelta": -0.5, "isAnomaly": true}, {"landingPage": "/b", "sessions": 20, "wowDelta": -0.25}, {"landingPage": "/c", "sessions": 30, "wowDelta": 0.1}]""",
            """{"propertyId": "p1", "range": {"start": "2025-09-30", "end": "2025-10-06"}, "generatedAt": "2025-10-07T06:00:00Z"}""");
        await db.DecisionAsync("a.myshopify.com", "seo.assignment.rewrite", "2025-10-07T20:00:00", payload: """{"landingPage": "/a"}""");

        await db.FactAsync("a.myshopify.com", "shopify.orders.daily", "2025-10-07T06:00:00", """{"orders": 12}""");
        await db.SessionOpenedAsync(" ", "2025-10-07T00:00:00");
    }

    /// <summary>Rows created at or after the window end of <see cref="AsOf"/>: a refresh as of it must not see them.</summary>
    public static async Task LoadRowsCreatedAfterWindowEndAsync(MetricsDatabase db)
    {
        await db.SessionOpenedAsync("late.myshopify.com", "2025-10-12T00:00:00");
        await db.DecisionAsync("e.myshopify.com", "chatwoot.escalate", "2025-10-12T00:00:00", "chatwoot:1");
        await db.DecisionAsync("d.myshopify.com", "chatwoot.reply.t1", "2025-10-12T01:00:00", "chatwoot:101");
        await db.FactAsync("b.myshopify.com", "chatwoot.escalations", "2025-10-12T01:00:00",
            """[{"id": 5, "slaBreached": true, "breachedAt": "2025-10-11T23:00:00Z"}, {"id": 1.5, "slaBreached": true}]""", """{"slaMinutes": 30}""");
        await db.FactAsync("a.myshopify.com", "ga.sessions.anomalies", "2025-10-12T06:00:00",
            """[{"landingPage": "/b", "sessions": 20, "wowDelta": -0.4}]""", """{"propertyId": "p1", "range": {"start": "2025-09-30", "end": "2025-10-06"}}""");
        await db.DecisionAsync("a.myshopify.com", "seo.assignment.rewrite", "2025-10-12T00:00:00", payload: """{"landingPage": "/b"}""");
    }
}
