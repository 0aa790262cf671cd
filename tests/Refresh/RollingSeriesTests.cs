using System.Globalization;
using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Reliability;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>
/// The rolling series (metrics.*_rolling7d) against the facts: a row for window end D holds what
/// the fact with windowEnd D says, as a backfill wrote it day by day, each day knowing only the
/// rows before it. And the weekly series against their definition: the week's breaches, not the
/// daily medians.
/// </summary>
public class Rolling_and_weekly_series
{
    private const int Days = 35;

    /// <summary>Each rolling row as the fact's fields: value without the window, and openBreaches of the SLA fact's metadata.</summary>
    private const string ViewRows = """
        select 'metrics.activation.rolling7d' as fact_type, metrics.format_instant(window_end::timestamp at time zone 'UTC') as window_end,
               jsonb_build_object('totalActiveShops', total_active_shops, 'activatedShops', activated_shops, 'activationRate', activation_rate)::text as fields
        from metrics.activation_rolling7d
        union all
        select 'metrics.sla_resolution.rolling7d', metrics.format_instant(window_end::timestamp at time zone 'UTC'),
               jsonb_build_object('sampleSize', sample_size, 'medianMinutes', median_minutes, 'p90Minutes', p90_minutes, 'openBreaches', open_breaches)::text
        from metrics.sla_resolution_rolling7d
        union all
        select 'metrics.anomaly_response.rolling7d', metrics.format_instant(window_end::timestamp at time zone 'UTC'),
               jsonb_build_object('totalAnomalies', total_anomalies, 'respondedWithin24h', responded_within_24h, 'responseRate', response_rate)::text
        from metrics.anomaly_response_rolling7d
        """;

    private const string OurFacts = """
        select fact."factType" as fact_type, fact.value ->> 'windowEnd' as window_end,
               (fact.value - 'windowStart' - 'windowEnd'
                || case when fact."factType" = 'metrics.sla_resolution.rolling7d'
                        then jsonb_build_object('openBreaches', fact.metadata -> 'openBreaches') else '{}' end)::text as fields
        from metrics_staging.written_fact as ours
        inner join "DashboardFact" as fact on fact.id = ours.fact_id
        """;

    private static readonly Dictionary<string, string> Empty = new()
    {
        ["metrics.activation.rolling7d"] = """{"activatedShops": 0, "activationRate": 0, "totalActiveShops": 0}""",
        ["metrics.sla_resolution.rolling7d"] = """{"p90Minutes": null, "sampleSize": 0, "openBreaches": 0, "medianMinutes": null}""",
        ["metrics.anomaly_response.rolling7d"] = """{"responseRate": 0, "totalAnomalies": 0, "respondedWithin24h": 0}""",
    };

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Equal_day_by_day_the_facts_a_backfill_wrote(int seed)
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // a backfill ends with today's window: the data end yesterday
        var now = await db.ServerNowAsync();
        var start = now.UtcDateTime.Date.AddDays(-Days);
        await using (var connection = await db.OpenAsync())
        {
            var data = new FuzzedAppData(seed, rows: 1500, bigArrayBytes: 1000, start, Days);
            await data.WriteAllAsync(connection);
            await data.ApplyUpdatesAsync(connection);
        }
        await AddLateBreachTelemetryAsync(db, start, seed);
        var backfill = await CliRun.RunAsync(
            ["refresh", "--connection", db.ConnectionString, "--backfill-from", start.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
            clock: new FakeTimeProvider(now));

        Assert.True(backfill.ExitCode == ExitCodes.Success, backfill.ToString());
        var facts = await db.QueryAsync<(string FactType, string WindowEnd, string Fields)>(OurFacts);
        Assert.Equal(3 * Days, facts.Count);
        AssertSeriesEqualFacts(await db.QueryAsync<(string, string, string)>(ViewRows), facts);
        // what makes it hard is there: breaches whose instant an escalation row written later moved
        // earlier, breaches first known after their first action, and rows the refresh skipped
        Assert.True(await CountAsync(db, "select count(*) from metrics_staging.sla_breach_version where valid_until is not null") > 0);
        Assert.True(await CountAsync(db, """
            select count(*) from metrics_staging.sla_breach_version as version
            where version.first_action_at < version.valid_from::timestamp at time zone 'UTC'
              and version.valid_from > (version.first_action_at at time zone 'UTC')::date + 1
            """) > 0);
        Assert.True(await CountAsync(db, "select count(*) from metrics.data_quality_issue") > 0);
        Assert.True(await CountAsync(db, "select count(*) from metrics.sla_resolution_rolling7d where sample_size > 1") > 20);
        Assert.True(await CountAsync(db, "select count(*) from metrics.activation_rolling7d where activated_shops > 0") > 20);
        Assert.True(await CountAsync(db, "select count(*) from metrics.anomaly_response_rolling7d where responded_within_24h > 0") > 0);

        // a full rebuild as of the last day derives every window again from all the data
        await using (var connection = await db.OpenAsync())
            await connection.ExecuteAsync("call metrics.refresh(full_rebuild => true)");
        AssertSeriesEqualFacts(await db.QueryAsync<(string, string, string)>(ViewRows), facts);
    }

    [Fact]
    public async Task Weekly_series_take_the_median_of_the_week_s_breaches_and_sum_the_daily_counts()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var start = new DateTime(2025, 9, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var connection = await db.OpenAsync())
            await new FuzzedAppData(seed: 23, rows: 1500, bigArrayBytes: 1000, start, Days).WriteAllAsync(connection);
        await AddLateBreachTelemetryAsync(db, start, seed: 23);
        await db.RefreshAsync(start.AddDays(Days + 1).AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

        var breaches = await db.QueryAsync<(DateTime FirstActionAt, decimal Minutes)>(
            "select first_action_at, resolution_minutes from metrics.sla_breach where first_action_at is not null");
        var expected = breaches
            .GroupBy(breach => breach.FirstActionAt.Date.AddDays(-(((int)breach.FirstActionAt.DayOfWeek + 6) % 7)))
            .OrderBy(week => week.Key)
            .Select(week => $"{week.Key:yyyy-MM-dd} {week.Count()} {Percentile(week, 0.5)} {Percentile(week, 0.9)}");
        var weekly = await db.QueryAsync<string>(
            "select to_char(resolution_week, 'YYYY-MM-DD') || ' ' || sample_size || ' ' || median_minutes || ' ' || p90_minutes from metrics.sla_resolution_weekly where sample_size > 0 order by resolution_week");
        Assert.Equal(expected, weekly);
        Assert.True(weekly.Count >= 5, string.Join('\n', weekly));
        Assert.True(weekly.Sum(week => int.Parse(week.Split(' ')[1], CultureInfo.InvariantCulture)) > 60);

        Assert.Empty(await db.QueryAsync<string>("""
            select weekly.cohort_week::text
            from metrics.activation_weekly as weekly
            full join (
                select metrics.week_of(cohort_day) as cohort_week, sum(new_shops) as new_shops, sum(activated_shops) as activated_shops
                from metrics.activation_daily group by 1
            ) as daily on daily.cohort_week = weekly.cohort_week
            where (weekly.new_shops, weekly.activated_shops, weekly.activation_rate) is distinct from
                  (daily.new_shops, daily.activated_shops, metrics.rate(daily.activated_shops, daily.new_shops))
            union all
            select weekly.detection_week::text
            from metrics.anomaly_response_weekly as weekly
            full join (
                select metrics.week_of(detection_day) as detection_week, sum(total_anomalies) as total_anomalies, sum(responded_within_24h) as responded
                from metrics.anomaly_response_daily group by 1
            ) as daily on daily.detection_week = weekly.detection_week
            where (weekly.total_anomalies, weekly.responded_within_24h, weekly.response_rate) is distinct from
                  (daily.total_anomalies, daily.responded, metrics.rate(daily.responded, daily.total_anomalies))
            """));
        Assert.Equal(["Monday"], await db.QueryAsync<string>(
            "select distinct trim(to_char(cohort_week, 'Day')) from metrics.activation_weekly union select distinct trim(to_char(resolution_week, 'Day')) from metrics.sla_resolution_weekly"));
    }

    /// <summary>
    /// Breaches whose telemetry arrives late, on top of the fuzzed rows, one shop each: a conversation
    /// first reported breached at 09:00 and acted on at 09:30, whose instant a metadata.breaches
    /// element written one to three days later moves to 08:00, where a decision at 08:30 becomes its
    /// first action (the windows in between see 30 minutes from 09:00, later ones 30 minutes from
    /// 08:00); and a conversation first reported two days after it was acted on.
    /// </summary>
    private static async Task AddLateBreachTelemetryAsync(MetricsDatabase db, DateTime start, int seed)
    {
        var random = new Random(seed);
        static string At(DateTime instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        for (var k = 0; k < 30; k++)
        {
            var shop = $"late-{k}.myshopify.com";
            var day = start.AddDays(random.Next(Days - 4));
            await db.SessionOpenedAsync(shop, At(day.AddHours(6)));
            await db.FactAsync(shop, "chatwoot.escalations", At(day.AddHours(10)),
                $$"""[{"id": 700, "slaBreached": true, "breachedAt": "{{At(day.AddHours(9))}}Z"}]""", """{"slaMinutes": 60}""");
            await db.DecisionAsync(shop, "chatwoot.reply.t1", At(day.AddHours(9.5)), "chatwoot:700");
            await db.DecisionAsync(shop, "chatwoot.escalate", At(day.AddHours(8.5)), "chatwoot:700");
            await db.FactAsync(shop, "chatwoot.escalations", At(day.AddDays(1 + random.Next(3)).AddHours(random.Next(24))), "[]",
                $$"""{"slaMinutes": 60, "breaches": [{"conversationId": 700, "breachedAt": "{{At(day.AddHours(8))}}Z"}]}""");
            await db.DecisionAsync(shop, "chatwoot.mark_resolved", At(day.AddHours(7 + random.Next(10) / 10.0)), "chatwoot:701");
            await db.FactAsync(shop, "chatwoot.escalations", At(day.AddDays(2).AddHours(12)),
                $$"""[{"id": 701, "slaBreached": true, "breachedAt": "{{At(day.AddHours(6.5))}}Z"}]""", """{"slaMinutes": 60}""");
        }
    }

    /// <summary>Every rolling row equals the fact of its window end; a fact before a series' first row is empty.</summary>
    private static void AssertSeriesEqualFacts(List<(string FactType, string WindowEnd, string Fields)> rows, List<(string FactType, string WindowEnd, string Fields)> facts)
    {
        var shown = rows.ToDictionary(row => (row.FactType, row.WindowEnd), row => row.Fields);
        var expected = facts.Select(fact => $"{fact.FactType} {fact.WindowEnd} {fact.Fields}").Order(StringComparer.Ordinal).ToList();
        var actual = facts
            .Select(fact => $"{fact.FactType} {fact.WindowEnd} {shown.GetValueOrDefault((fact.FactType, fact.WindowEnd), Empty[fact.FactType])}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
        Assert.All(rows, row => Assert.Contains(facts, fact => fact.FactType == row.FactType && fact.WindowEnd == row.WindowEnd));
    }

    /// <summary>percentile_cont in exact decimals, rounded half away from zero to 2 decimals, as the contract says.</summary>
    private static string Percentile(IEnumerable<(DateTime, decimal Minutes)> sample, double fraction)
    {
        var sorted = sample.Select(breach => breach.Minutes).Order().ToList();
        var position = (decimal)fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        var value = sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
        return Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.##", CultureInfo.InvariantCulture);
    }

    private static async Task<long> CountAsync(MetricsDatabase db, string sql) => (await db.QueryAsync<long>(sql)).Single();
}
