using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>metrics.sla_resolution.rolling7d and metrics.sla_breach on tiny, hand-worked data.</summary>
public class SlaResolution
{
    private const string AsOf = "2025-10-12T02:00:00Z"; // window [2025-10-05, 2025-10-12)
    private const string Escalations = "chatwoot.escalations";

    private static async Task<List<(string Shop, long Conversation, DateTime BreachedAt, decimal? Minutes)>> BreachesAsync(MetricsDatabase db) =>
        await db.QueryAsync<(string, long, DateTime, decimal?)>(
            "select shop_domain, conversation_id, breached_at at time zone 'UTC', resolution_minutes from metrics.sla_breach order by 1, 2");

    [Fact]
    public async Task Counts_a_conversation_repeated_in_many_rows_once_from_its_earliest_breach()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // conversation 101 breaches at 08:00Z (metadata.breaches), 08:30Z (value) and, in a later
        // row, 07:45 with no zone (= UTC): the breach is at 07:45Z.
        await db.FactAsync("s1", Escalations, "2025-10-06T09:00:00",
            """[{"id": 101, "slaBreached": true, "breachedAt": "2025-10-06T08:30:00Z", "customerName": "Ann"}]""",
            """{"slaMinutes": 30, "breaches": [{"conversationId": 101, "breachedAt": "2025-10-06T08:00:00Z"}]}""");
        await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 101, "slaBreached": true, "breachedAt": "2025-10-06T07:45:00"}]""", """{"slaMinutes": 30}""");
        // a decision before the breach (07:30) is skipped; the one after (08:15) counts: 30 min
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T07:30:00", "chatwoot:101");
        await db.DecisionAsync("s1", "chatwoot.reply.t2", "2025-10-06T08:15:00", "chatwoot:101");

        await db.RefreshAsync(AsOf);

        Assert.Equal([("s1", 101L, new DateTime(2025, 10, 6, 7, 45, 0), (decimal?)30m)], await BreachesAsync(db));
        var fact = await db.SingleFactAsync("metrics.sla_resolution.rolling7d");
        Assert.Equal(1, (int)fact["sampleSize"]!);
        Assert.Equal(30m, (decimal)fact["medianMinutes"]!);
        Assert.Equal(30m, (decimal)fact["p90Minutes"]!);
    }

    [Fact]
    public async Task Reads_offsets_digit_strings_padded_refs_and_old_rows_without_breach_telemetry()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // conversation "102" breached at 10:00+02:00 = 08:00Z; answered by chatwoot:0102 at 09:00Z: 60 min
        await db.FactAsync("s1", Escalations, "2025-10-06T09:00:00",
            """[{"id": "102", "slaBreached": true, "breachedAt": "2025-10-06T10:00:00+02:00"}]""", """{"slaMinutes": 30}""");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T09:00:00", "chatwoot:0102");
        // an old row: no breachedAt, no metadata.breaches; createdAt 20:00Z + slaMinutes 30 = 20:30Z;
        // answered 21:15Z: 45 min
        await db.FactAsync("s1", Escalations, "2025-10-06T21:00:00",
            """[{"id": 103, "slaBreached": true, "createdAt": "2025-10-06T20:00:00Z"}, {"id": 104, "slaBreached": false, "createdAt": "2025-10-06T20:00:00Z"}]""",
            """{"slaMinutes": 30, "count": 2}""");
        await db.DecisionAsync("s1", "chatwoot.mark_resolved", "2025-10-06T21:15:00", "chatwoot:103");
        await db.DecisionAsync("s1", "chatwoot.mark_resolved", "2025-10-06T21:15:00", "chatwoot:104");

        await db.RefreshAsync(AsOf);

        // sample {45, 60}: median (45 + 60) / 2 = 52.5 (an even-sized sample interpolates);
        // p90 at position 0.9 * (2 - 1) = 0.9: 45 + 0.9 * 15 = 58.5
        Assert.Equal(
            [("s1", 102L, new DateTime(2025, 10, 6, 8, 0, 0), (decimal?)60m), ("s1", 103L, new DateTime(2025, 10, 6, 20, 30, 0), (decimal?)45m)],
            await BreachesAsync(db));
        var fact = await db.SingleFactAsync("metrics.sla_resolution.rolling7d");
        Assert.Equal(2, (int)fact["sampleSize"]!);
        Assert.Equal(52.5m, (decimal)fact["medianMinutes"]!);
        Assert.Equal(58.5m, (decimal)fact["p90Minutes"]!);
    }

    [Fact]
    public async Task Keeps_a_conversation_id_shared_by_two_shops_apart_and_counts_open_breaches()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // s1/101 breached 10-06T08:00, answered 08:30 (30 min); s2/101 breached 10-07T00:00, answered 01:30 (90 min):
        // s1's decision must not answer s2's breach, nor the reverse.
        await db.FactAsync("s1", Escalations, "2025-10-06T08:05:00",
            """[{"id": 101, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"}]""", """{"slaMinutes": 30}""");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:30:00", "chatwoot:101");
        await db.FactAsync("s2", Escalations, "2025-10-07T00:05:00",
            """[{"id": 101, "slaBreached": true, "breachedAt": "2025-10-07T00:00:00Z"}, {"id": 104, "slaBreached": true, "breachedAt": "2025-10-07T00:00:00Z"}]""",
            """{"slaMinutes": 30}""");
        await db.DecisionAsync("s2", "chatwoot.reply.t1", "2025-10-07T01:30:00", "chatwoot:101");
        // s2/105 breached 10-11T20:00 and answered 10-12T01:00, at/after windowEnd: open as of the refresh
        await db.FactAsync("s2", Escalations, "2025-10-11T20:05:00",
            """[{"id": 105, "slaBreached": true, "breachedAt": "2025-10-11T20:00:00Z"}]""", """{"slaMinutes": 30}""");
        await db.DecisionAsync("s2", "chatwoot.reply.t1", "2025-10-12T01:00:00", "chatwoot:105");
        // s1/106 breached and answered 10-04, before the window: open? no; in the sample? no
        await db.FactAsync("s1", Escalations, "2025-10-04T08:05:00",
            """[{"id": 106, "slaBreached": true, "breachedAt": "2025-10-04T08:00:00Z"}]""", """{"slaMinutes": 30}""");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-04T09:00:00", "chatwoot:106");

        await db.RefreshAsync(AsOf);

        // sample {30, 90}: median 60, p90 30 + 0.9 * 60 = 84; open: s2/104 and s2/105 = 2
        var (value, metadata) = (await db.AggregateFactsAsync("metrics.sla_resolution.rolling7d")).Single();
        Assert.Equal(2, (int)value["sampleSize"]!);
        Assert.Equal(60m, (decimal)value["medianMinutes"]!);
        Assert.Equal(84m, (decimal)value["p90Minutes"]!);
        Assert.Equal(2, (int)metadata["openBreaches"]!);
        Assert.Equal(2, (int)metadata["sampleSize"]!);
        Assert.Equal(
            [("s1", 101L, (decimal?)30m), ("s1", 106L, 60m), ("s2", 101L, 90m), ("s2", 104L, null), ("s2", 105L, null)],
            (await BreachesAsync(db)).Select(b => (b.Shop, b.Conversation, b.Minutes)));
    }

    [Fact]
    public async Task An_empty_sample_writes_null_percentiles()
    {
        await using var db = await MetricsDatabase.CreateAsync();

        await db.RefreshAsync(AsOf);

        var (value, metadata) = (await db.AggregateFactsAsync("metrics.sla_resolution.rolling7d")).Single();
        Assert.Equal(0, (int)value["sampleSize"]!);
        Assert.True(value.ContainsKey("medianMinutes") && value["medianMinutes"] is null);
        Assert.True(value.ContainsKey("p90Minutes") && value["p90Minutes"] is null);
        Assert.Equal(0, (int)metadata["openBreaches"]!);
    }

    [Fact]
    public async Task Rounds_half_away_from_zero_on_the_exact_value()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // resolutions 10.01 min (600.6 s) and 10.00 min (600 s): median exactly 10.005 -> 10.01
        // (a binary double holds 10.005 as 10.00499999..., which would round to 10.00)
        await db.FactAsync("s1", Escalations, "2025-10-06T08:00:00",
            """[{"id": 1, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"}, {"id": 2, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"}]""",
            """{"slaMinutes": 30}""");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:10:00.600", "chatwoot:1");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:10:00", "chatwoot:2");

        await db.RefreshAsync(AsOf);

        var fact = await db.SingleFactAsync("metrics.sla_resolution.rolling7d");
        Assert.Equal("10.01", fact["medianMinutes"]!.ToJsonString());
    }

    [Fact]
    public async Task Writes_json_numbers_and_iso_strings()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await db.FactAsync("s1", Escalations, "2025-10-06T08:00:00",
            """[{"id": 1, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z"}]""", """{"slaMinutes": 30}""");
        await db.DecisionAsync("s1", "chatwoot.reply.t1", "2025-10-06T08:20:00", "chatwoot:1");

        await db.RefreshAsync(AsOf);

        var (value, metadata) = (await db.AggregateFactsAsync("metrics.sla_resolution.rolling7d")).Single();
        Assert.Equal(System.Text.Json.JsonValueKind.Number, value["sampleSize"]!.GetValueKind());
        Assert.Equal("20", value["medianMinutes"]!.ToJsonString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", (string)metadata["generatedAt"]!);
        Assert.Equal(System.Text.Json.JsonValueKind.String, metadata["notes"]!.GetValueKind());
    }
}
