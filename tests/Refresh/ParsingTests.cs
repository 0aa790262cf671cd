using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>The lenient parsing functions, rule by rule (SPEC.md "Lenient parsing").</summary>
public class Parsing : IAsyncLifetime
{
    private MetricsDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MetricsDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData("\"2025-10-06T10:00:00Z\"", "2025-10-06 10:00:00")]
    [InlineData("\"2025-10-06T10:00:00.123Z\"", "2025-10-06 10:00:00.123")]
    [InlineData("\"2025-10-06T10:00:00+02:00\"", "2025-10-06 08:00:00")]
    [InlineData("\"2025-10-06T10:00:00-05:30\"", "2025-10-06 15:30:00")]
    [InlineData("\"2025-10-06T10:00:00\"", "2025-10-06 10:00:00")] // no zone = UTC, whatever the session's TimeZone
    [InlineData("\"2025-10-06T10:00:00.5+00:00\"", "2025-10-06 10:00:00.500")]
    [InlineData("\"2025-10-06T10:00:00.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001Z\"", "2025-10-06 10:00:00")]
    [InlineData("\"2025-10-06T10:00:60Z\"", null)]
    [InlineData("\"2025-10-06T10:00:00+16:00\"", null)]
    [InlineData("\"0000-01-01T00:00:00Z\"", null)]
    [InlineData("\"2024-02-29T00:00:00Z\"", "2024-02-29 00:00:00")]
    [InlineData("\"2025-02-29T00:00:00Z\"", null)]
    [InlineData("\"2025-13-45T10:00:00Z\"", null)]
    [InlineData("\"2025-10-06 10:00:00Z\"", null)] // a space instead of T: PostgreSQL's cast would accept it
    [InlineData("\"2025-10-06T24:00:00Z\"", null)]
    [InlineData("\"2025-10-06T10:00Z\"", null)]
    [InlineData("\"2025-10-06T10:00:00 Europe/Paris\"", null)]
    [InlineData("\"yesterday\"", null)]
    [InlineData("\"garbage\"", null)]
    [InlineData("1759737600", null)]
    [InlineData("null", null)]
    [InlineData("{}", null)]
    public async Task An_instant_is_an_iso_8601_string_naming_a_real_instant(string json, string? expectedUtc)
    {
        var parsed = await _db.QueryAsync<string?>(
            "select to_char(metrics.parse_instant(@json::jsonb) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.FF3')", new { json });
        Assert.Equal(expectedUtc, parsed.Single()?.Replace(".000", ""));
    }

    [Theory]
    [InlineData("42", 42L)]
    [InlineData("\"123\"", 123L)]
    [InlineData("\"0042\"", 42L)]
    [InlineData("1.5", null)]
    [InlineData("1.0", null)]
    [InlineData("\"12a\"", null)]
    [InlineData("\"\"", null)]
    [InlineData("-3", null)]
    [InlineData("99999999999999999999", null)]
    [InlineData("\"9223372036854775807\"", 9223372036854775807L)]
    [InlineData("\"00000000000000000000009223372036854775807\"", 9223372036854775807L)]
    [InlineData("\"9223372036854775808\"", null)]
    [InlineData("true", null)]
    [InlineData("null", null)]
    public async Task A_conversation_id_is_an_integer_or_a_string_of_digits(string json, long? expected)
    {
        var parsed = await _db.QueryAsync<long?>("select metrics.parse_conversation_id(@json::jsonb)", new { json });
        Assert.Equal(expected, parsed.Single());
    }

    [Theory]
    [InlineData("chatwoot:42", 42L)]
    [InlineData("chatwoot:0042", 42L)]
    [InlineData("chatwoot:abc", null)]
    [InlineData("chatwoot:42 ", null)]
    [InlineData("Chatwoot:42", null)]
    [InlineData("shopify:42", null)]
    [InlineData("chatwoot:", null)]
    public async Task An_external_ref_refers_to_a_conversation_when_it_is_chatwoot_digits(string externalRef, long? expected)
    {
        var parsed = await _db.QueryAsync<long?>("select metrics.parse_external_ref(@externalRef)", new { externalRef });
        Assert.Equal(expected, parsed.Single());
    }

    [Theory]
    [InlineData(new[] { 30, 60, 90, 45 })]
    [InlineData(new[] { 7 })]
    [InlineData(new[] { 1, 2 })]
    [InlineData(new[] { 5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5 })]
    public async Task The_exact_percentile_equals_percentile_cont(int[] sample)
    {
        foreach (var fraction in new[] { 0.5m, 0.9m })
        {
            var (exact, builtIn) = (await _db.QueryAsync<(decimal, double)>(
                """
                select metrics.interpolated_percentile(@sample::numeric[], @fraction),
                       (select percentile_cont(@fraction::float8) within group (order by v) from unnest(@sample) as v)
                """,
                new { sample, fraction })).Single();
            Assert.Equal(builtIn, (double)exact, 9);
        }
    }
}
