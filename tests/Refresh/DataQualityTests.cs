using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>Every malformed example of SPEC.md "Lenient parsing": the refresh succeeds, each bad element is reported once, valid neighbours count.</summary>
public class DataQuality
{
    private const string AsOf = "2025-10-12T02:00:00Z"; // window [2025-10-05, 2025-10-12)

    [Fact]
    public async Task Reports_each_bad_element_once_and_still_counts_its_valid_neighbours()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var escalation = await db.FactAsync("s1", "chatwoot.escalations", "2025-10-06T09:00:00",
            """
            [{"id": 1, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": 1.5, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": 1.0, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": "12a", "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": 5, "slaBreached": true, "breachedAt": "garbage", "createdAt": "2025-10-06T07:00:00Z"},
             {"id": 6, "slaBreached": true, "breachedAt": 1759737600, "createdAt": "2025-10-06 07:00:00Z"},
             {"id": 7, "slaBreached": true, "breachedAt": "2025-13-45T10:00:00Z", "createdAt": null},
             "not a conversation",
             {"id": 1e30, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": 11, "slaBreached": "yes", "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": 12, "slaBreached": false, "breachedAt": "nonsense"}]
            """,
            """
            {"slaMinutes": 30, "breaches": [
              {"conversationId": 8, "breachedAt": "2025-10-06T08:00:00Z"},
              {"conversationId": 9, "breachedAt": null},
              {"conversationId": "12a", "breachedAt": "2025-10-06T08:00:00Z"}]}
            """);
        var oldRow = await db.FactAsync("s1", "chatwoot.escalations", "2025-10-06T10:00:00",
            """[{"id": 10, "slaBreached": true, "createdAt": "2025-10-06T07:00:00Z"}]""", """{"slaMinutes": "30"}""");
        var notAnArray = await db.FactAsync("s1", "chatwoot.escalations", "2025-10-06T11:00:00", """{"id": 1}""", "null");
        var anomalies = await db.FactAsync("g", "ga.sessions.anomalies", "2025-10-07T06:00:00",
            """
            [{"landingPage": "/ok", "wowDelta": -0.5, "isAnomaly": true},
             {"landingPage": "/flag", "wowDelta": -0.5, "isAnomaly": "yes"},
             {"landingPage": "/delta", "wowDelta": "-0.5"},
             {"landingPage": "/none", "wowDelta": -0.5, "isAnomaly": null}]
            """,
            """{"propertyId": "p1", "range": {"start": "2025-09-30", "end": "last week"}}""");
        // answers: 1 (breach 08:00) at 08:10 = 10 min; 5 (garbage breachedAt: createdAt 07:00 + 30 = 07:30)
        // at 08:30 = 60 min; 8 (metadata.breaches, 08:00) at 08:20 = 20 min; a malformed externalRef
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:10:00", "chatwoot:1");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:30:00", "chatwoot:5");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:20:00", "chatwoot:8");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:25:00", "chatwoot:abc");

        await db.RefreshAsync(AsOf);

        var issues = await db.QueryAsync<(string Table, int Id, string Path)>(
            "select source_table, source_id, json_path from metrics.data_quality_issue order by source_table, source_id, json_path collate \"C\"");
        var decisionId = (await db.QueryAsync<int>("""select id from "DecisionLog" where "externalRef" = 'chatwoot:abc'""")).Single();
        Assert.Equal(
            [
                ("DashboardFact", escalation, "metadata.breaches[1].breachedAt"),
                ("DashboardFact", escalation, "metadata.breaches[2].conversationId"),
                ("DashboardFact", escalation, "value[1].id"),
                ("DashboardFact", escalation, "value[2].id"),
                ("DashboardFact", escalation, "value[3].id"),
                ("DashboardFact", escalation, "value[4].breachedAt"),
                ("DashboardFact", escalation, "value[5].breachedAt"),
                ("DashboardFact", escalation, "value[6].breachedAt"),
                ("DashboardFact", escalation, "value[7]"),
                ("DashboardFact", escalation, "value[8].id"),
                ("DashboardFact", escalation, "value[9].slaBreached"),
                ("DashboardFact", oldRow, "value[0].breachedAt"),
                ("DashboardFact", notAnArray, "value"),
                ("DashboardFact", anomalies, "metadata.range.end"),
                ("DashboardFact", anomalies, "value[1].isAnomaly"),
                ("DashboardFact", anomalies, "value[2].wowDelta"),
                ("DecisionLog", decisionId, "externalRef"),
            ],
            issues);

        // breaches: 1, 5, 8 (all answered) -> sample {10, 20, 60}: median 20, p90 at 1.8: 20 + 0.8 * 40 = 52
        var sla = await db.SingleFactAsync("metrics.sla_resolution.rolling7d");
        Assert.Equal(3, (int)sla["sampleSize"]!);
        Assert.Equal(20m, (decimal)sla["medianMinutes"]!);
        Assert.Equal(52m, (decimal)sla["p90Minutes"]!);
        // /ok counts; /none (isAnomaly null = absent, wowDelta -0.5) counts; range end falls back to the row date
        var anomalyPages = await db.QueryAsync<(string Page, DateTime RangeEnd)>(
            "select landing_page, range_end from metrics.landing_page_anomaly order by landing_page");
        Assert.Equal([("/none", new DateTime(2025, 10, 7)), ("/ok", new DateTime(2025, 10, 7))], anomalyPages);
        Assert.Equal(17, (await db.QueryAsync<int>("select data_quality_issues from metrics.refresh_run")).Single());
    }

    [Fact]
    public async Task Survives_values_at_the_edges_of_postgres_types()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var longDigits = new string('7', 140_000);
        var longFraction = "2025-10-06T08:00:00." + new string('0', 400) + "1Z";
        // id with 140,000 digits (beyond numeric's input range) -> skipped;
        // slaMinutes 1e-400 (below double precision) -> 0 minutes: breach 5 at createdAt 08:00;
        // breachedAt with 400 zeros in its fraction -> 08:00:00 exactly: breach 6
        await db.FactAsync("s1", "chatwoot.escalations", "2025-10-06T09:00:00",
            $$"""
            [{"id": "{{longDigits}}", "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"},
             {"id": 5, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z"}]
            """,
            $$"""{"slaMinutes": 1e-400, "breaches": [{"conversationId": 6, "breachedAt": "{{longFraction}}"}]}""");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:30:00", "chatwoot:" + longDigits);
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:10:00", "chatwoot:5");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:20:00", "chatwoot:6");

        await db.RefreshAsync(AsOf);

        Assert.Equal(
            [(5L, 10m), (6L, 20m)],
            await db.QueryAsync<(long, decimal)>("select conversation_id, resolution_minutes from metrics.sla_breach order by 1"));
        Assert.Equal(
            ["externalRef", "value[0].id"],
            await db.QueryAsync<string>("select json_path from metrics.data_quality_issue order by 1"));
    }

    [Fact]
    public async Task Ignores_shops_that_are_only_whitespace_in_any_script()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        foreach (var blank in new[] { "", " ", "\t\n", "\u00a0", "\u3000", "\u2007 " })
            await db.FactAsync(System.Text.RegularExpressions.Regex.Unescape(blank), "dashboard.session.opened", "2025-10-06T08:00:00", "{}");
        await db.SessionOpenedAsync(" padded.myshopify.com ", "2025-10-06T08:00:00");

        await db.RefreshAsync(AsOf);

        Assert.Equal([" padded.myshopify.com "], await db.QueryAsync<string>("select shop_domain from metrics.shop_activation"));
    }
}
