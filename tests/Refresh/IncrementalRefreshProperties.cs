using System.Globalization;
using System.Text;
using Dapper;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>
/// The incremental refresh gives what a full rebuild gives: random sequences of inserts,
/// updates (also through metrics.backfill_chatwoot, and of "createdAt", which moves a row to
/// another UTC day, before or after the cutoff) and deletes of app rows, interleaved with
/// refreshes at increasing and sometimes decreasing as-of days. After each refresh every view
/// and every written fact is compared with a full rebuild as of the same instant, run in a
/// transaction that is rolled back so that the next step goes on from the incremental state.
/// </summary>
public class Incremental_refresh
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 24)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Gives_what_a_full_rebuild_gives(int seed)
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var history = new RandomAppHistory(seed, connection);
        var day = 3;
        for (var step = 0; step < 10; step++)
        {
            for (var change = history.Next(1, 12); change > 0; change--)
                await history.ChangeSomethingAsync();
            day = history.Next(0, 5) == 0 ? Math.Max(1, day - history.Next(1, 4)) : day + history.Next(0, 3);
            var asOf = RandomAppHistory.Start.AddDays(day).AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

            await connection.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf });
            var incremental = await MetricsResults.ReadAsync(connection);
            var full = await MetricsResults.ReadFullRebuildAsync(connection, asOf);
            Assert.True(full == incremental,
                $"seed {seed}, step {step}, as of {asOf}, after: {history.Log}\n{LineDiff.Describe(full, incremental)}");
        }
        Assert.Contains("metrics.sla_resolution.rolling7d", await MetricsResults.ReadAsync(connection));
    }

    [Fact]
    public async Task Counts_rows_whose_transaction_committed_after_the_refresh()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        await using var app = await db.OpenAsync();
        await using (var late = await app.BeginTransactionAsync())
        {
            // began before the refresh, created before its cutoff, committed after it
            await app.ExecuteAsync(
                """
                insert into "DashboardFact" ("shopDomain", "factType", scope, value, "createdAt", "updatedAt")
                values ('late.myshopify.com', 'dashboard.session.opened', 'ops', '{}', '2025-10-09T10:00:00', '2025-10-09T10:00:00')
                """, transaction: late);
            await db.RefreshAsync(FixedDataSet.AsOf);
            await late.CommitAsync();
        }
        Assert.Equal(4, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);

        await db.RefreshAsync(FixedDataSet.AsOf);

        Assert.Equal(5, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
    }

    /// <summary>Writes random app rows the way the app does, from a small pool of shops, conversations and pages so that they collide.</summary>
    private sealed class RandomAppHistory(int seed, NpgsqlConnection connection)
    {
        public static readonly DateTime Start = new(2025, 10, 1, 0, 0, 0, DateTimeKind.Utc);

        private static readonly string[] Shops = ["a.myshopify.com", "b.myshopify.com", "c.myshopify.com", " "];
        private static readonly string[] Pages = ["/a", "/b", "/c"];
        private readonly Random _random = new(seed);
        private readonly StringBuilder _log = new();

        public string Log => _log.ToString();

        public int Next(int min, int max) => _random.Next(min, max);

        private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

        /// <summary>An instant within the first 16 days, so rows land before, inside and after the windows refreshed.</summary>
        private string Instant() => Start.AddMinutes(_random.Next(16 * 24 * 60)).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

        private string Iso() => _random.Next(6) switch
        {
            0 => "\"not a time\"",
            1 => "null",
            _ => $"\"{Instant()}{Pick(["Z", "+02:00", ""])}\"",
        };

        private string ConversationId() => _random.Next(8) switch
        {
            0 => "1.5",
            1 => $"\"{_random.Next(1, 6)}\"",
            _ => _random.Next(1, 6).ToString(CultureInfo.InvariantCulture),
        };

        private string Conversation() =>
            $$"""{"id": {{ConversationId()}}, "slaBreached": {{Pick(["true", "true", "false", "null"])}}, "createdAt": {{Iso()}}, "breachedAt": {{Pick([Iso(), "null"])}}, "customerName": "Ann"}""";

        private string EscalationMetadata() =>
            $$"""{"slaMinutes": {{Pick(["30", "45", "\"x\""])}}, "breaches": [{{string.Join(", ", Enumerable.Range(0, _random.Next(3)).Select(_ => $$"""{"conversationId": {{ConversationId()}}, "breachedAt": {{Iso()}} }"""))}}]}""";

        private string AnomalyValue() =>
            "[" + string.Join(", ", Enumerable.Range(0, _random.Next(1, 4)).Select(_ =>
                $$"""{"landingPage": "{{Pick(Pages)}}", "sessions": 10, "wowDelta": {{Pick(["-0.5", "0.1", "\"x\""])}}, "isAnomaly": {{Pick(["true", "false", "null"])}}}""")) + "]";

        public async Task ChangeSomethingAsync()
        {
            switch (_random.Next(11))
            {
                case 0:
                    await InsertFactAsync("dashboard.session.opened", """{"openedAt": "x"}""", null);
                    break;
                case 1 or 2:
                    await InsertDecisionAsync();
                    break;
                case 3 or 4:
                    await InsertFactAsync("chatwoot.escalations",
                        "[" + string.Join(", ", Enumerable.Range(0, _random.Next(1, 4)).Select(_ => Conversation())) + "]", EscalationMetadata());
                    break;
                case 5:
                    await InsertFactAsync("ga.sessions.anomalies", AnomalyValue(),
                        $$$"""{"range": {"end": "{{{Start.AddDays(_random.Next(16)):yyyy-MM-dd}}}"}}""");
                    break;
                case 6:
                    _log.Append($"update escalation; ");
                    await connection.ExecuteAsync(
                        """
                        update "DashboardFact" set value = @value::jsonb, "shopDomain" = @shop, "updatedAt" = now()
                        where id = (select id from "DashboardFact" where "factType" = 'chatwoot.escalations' order by md5(id::text || @seed) limit 1)
                        """,
                        new { value = "[" + Conversation() + "]", shop = Pick(Shops), seed = _random.Next().ToString(CultureInfo.InvariantCulture) });
                    break;
                case 7:
                    _log.Append("delete a fact and a decision; ");
                    await connection.ExecuteAsync(
                        """
                        delete from "DashboardFact" where id = (select id from "DashboardFact" where "shopDomain" <> '__aggregate__' order by md5(id::text || @seed) limit 1);
                        delete from "DecisionLog" where id = (select id from "DecisionLog" order by md5(id::text || @seed) limit 1);
                        """,
                        new { seed = _random.Next().ToString(CultureInfo.InvariantCulture) });
                    break;
                case 8:
                    _log.Append("update a decision's time; ");
                    await connection.ExecuteAsync(
                        """
                        update "DecisionLog" set "createdAt" = @createdAt::timestamp
                        where id = (select id from "DecisionLog" order by md5(id::text || @seed) limit 1)
                        """,
                        new { createdAt = Instant(), seed = _random.Next().ToString(CultureInfo.InvariantCulture) });
                    break;
                case 9:
                    // moves a row to another UTC day: across days already parsed, and across the cutoff
                    _log.Append("update a fact's time; ");
                    await connection.ExecuteAsync(
                        """
                        update "DashboardFact" set "createdAt" = @createdAt::timestamp
                        where id = (select id from "DashboardFact" where "shopDomain" <> '__aggregate__' order by md5(id::text || @seed) limit 1)
                        """,
                        new { createdAt = Instant(), seed = _random.Next().ToString(CultureInfo.InvariantCulture) });
                    break;
                default:
                    _log.Append("backfill_chatwoot; ");
                    await connection.ExecuteAsync("select * from metrics.backfill_chatwoot(false)");
                    break;
            }
        }

        private async Task InsertFactAsync(string factType, string value, string? metadata)
        {
            var createdAt = Instant();
            _log.Append($"insert {factType} at {createdAt}; ");
            await connection.ExecuteAsync(
                """
                insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
                values (@shop, @factType, 'ops', @value::jsonb, @metadata::jsonb, @createdAt::timestamp, @createdAt::timestamp)
                """,
                new { shop = Pick(Shops), factType, value, metadata, createdAt });
        }

        private async Task InsertDecisionAsync()
        {
            var (action, externalRef, payload) = _random.Next(3) switch
            {
                0 => ("seo.assignment.rewrite", null, $$"""{"landingPage": "{{Pick(Pages)}}"}"""),
                1 => ("chatwoot.reply.t1", $"chatwoot:{Pick(["1", "02", "3", "4", "5", "x"])}", null),
                _ => ("chatwoot.mark_resolved", $"chatwoot:{_random.Next(1, 6)}", (string?)null),
            };
            var createdAt = Instant();
            _log.Append($"insert {action} at {createdAt}; ");
            await connection.ExecuteAsync(
                """
                insert into "DecisionLog" (scope, actor, action, "shopDomain", "externalRef", payload, "createdAt")
                values (@scope, 'operator@example.com', @action, @shop, @externalRef, @payload::jsonb, @createdAt::timestamp)
                """,
                new { scope = Pick(["ops", "ops", "ops", "build"]), action, shop = Pick(Shops), externalRef, payload, createdAt });
        }
    }
}
