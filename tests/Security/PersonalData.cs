using Dapper;
using Npgsql;

namespace Metrics.Tests.Security;

/// <summary>
/// App rows of every input kind the refresh parses (visits, escalations, anomalies, ops decisions,
/// and malformed elements that become data-quality issues), created in the last days, each
/// carrying personal data marked <see cref="Marker"/>: customer names, message text, emails,
/// free text in ids and payloads. One escalation lacks createdAt, so backfill-chatwoot repairs it.
/// </summary>
public static class PersonalData
{
    public const string Marker = "PII";

    public static async Task PlantAsync(NpgsqlConnection app)
    {
        var now = DateTime.UtcNow;
        string Instant(double hoursAgo) => now.AddHours(-hoursAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        DateTime Created(double hoursAgo) => now.AddHours(-hoursAgo);

        const string fact =
            """
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "evidenceUrl", "createdAt", "updatedAt")
            values (@shop, @factType, 'ops', @value::jsonb, @metadata::jsonb, 'https://example.com/PII-evidence', @createdAt at time zone 'UTC', @createdAt at time zone 'UTC')
            """;
        await app.ExecuteAsync(fact, new
        {
            shop = "s1.myshopify.com", factType = "dashboard.session.opened", createdAt = Created(72),
            value = $$"""{"openedAt": "{{Instant(72)}}", "operatorEmail": "PII-operator@example.com", "operatorName": "PII-Operator"}""",
            metadata = """{"requestId": "PII-request", "userAgent": "PII-agent"}""",
        });
        await app.ExecuteAsync(fact, new
        {
            shop = "s1.myshopify.com", factType = "chatwoot.escalations", createdAt = Created(48),
            value = $$"""
                [{"id": 1, "slaBreached": true, "lastMessageAt": "{{Instant(49)}}", "customerName": "PII-customer",
                  "customerEmail": "PII-customer@example.com", "suggestedReply": "PII-reply", "messages": [{"content": "PII-message"}]},
                 {"id": "PII-bad-id", "slaBreached": true, "breachedAt": "PII-not-an-instant", "customerName": "PII-customer-2"}]
                """,
            metadata = """{"slaMinutes": 30, "inbox": "PII-inbox"}""",
        });
        await app.ExecuteAsync(fact, new
        {
            shop = "s1.myshopify.com", factType = "ga.sessions.anomalies", createdAt = Created(40),
            value = """
                [{"landingPage": "/a", "sessions": 10, "wowDelta": -0.5, "isAnomaly": true, "visitorEmail": "PII-visitor@example.com"},
                 {"landingPage": "/b", "sessions": "PII-sessions", "wowDelta": "PII-delta", "isAnomaly": true}]
                """,
            metadata = """{"propertyId": "PII-property", "range": {"start": "PII-start", "end": "PII-end"}}""",
        });

        const string decision =
            """
            insert into "DecisionLog" (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
            values ('ops', 'PII-actor@example.com', @action, 'PII-rationale', 'https://example.com/PII', 's1.myshopify.com', @externalRef, @payload::jsonb, @createdAt at time zone 'UTC')
            """;
        await app.ExecuteAsync(decision, new { action = "chatwoot.reply.t1", externalRef = "chatwoot:1", payload = """{"reply": "PII-reply-text"}""", createdAt = Created(47) });
        await app.ExecuteAsync(decision, new { action = "chatwoot.reply.t1", externalRef = "PII-ref", payload = (string?)null, createdAt = Created(46) });
        await app.ExecuteAsync(decision, new { action = "seo.assignment.rewrite", externalRef = (string?)null, payload = """{"landingPage": "/a", "author": "PII-author"}""", createdAt = Created(30) });
        await app.ExecuteAsync(decision, new { action = "seo.assignment.rewrite", externalRef = (string?)null, payload = """{"landingPage": {"PII": "object"}}""", createdAt = Created(29) });
        await app.ExecuteAsync(decision, new { action = "shop.contacted", externalRef = (string?)null, payload = """{"email": "PII-shop@example.com"}""", createdAt = Created(28) });
    }
}
