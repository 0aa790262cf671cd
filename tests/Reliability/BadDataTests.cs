using Dapper;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>
/// Seeded malformed rows mixed into valid ones (<see cref="FuzzedAppData"/>): the refresh
/// succeeds, its metrics equal those of the valid rows alone, written into a second database,
/// and every planted malformed element is reported once, at its path. Some rows are updated
/// after a first refresh, so the second, incremental refresh must catch up with them.
/// </summary>
[Trait(ReliabilityRun.Trait, ReliabilityRun.Category)]
public class Bad_data
{
    private static readonly DateTime Start = new(2025, 9, 22, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, ReliabilityRun.Seeds)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Never_fails_a_refresh_counts_only_the_valid_rows_and_reports_each_malformed_element_once(int seed)
    {
        var data = new FuzzedAppData(seed, ReliabilityRun.RowsPerSeed, ReliabilityRun.BigArrayBytes, Start);
        await using var fuzzed = await MetricsDatabase.CreateAsync();
        await using var validOnly = await MetricsDatabase.CreateAsync();
        await using (var connection = await fuzzed.OpenAsync())
        {
            await data.WriteAllAsync(connection);
            await fuzzed.RefreshAsync(data.AsOf, connection);
            await data.ApplyUpdatesAsync(connection);
            await fuzzed.RefreshAsync(data.AsOf, connection);
        }
        await using (var connection = await validOnly.OpenAsync())
        {
            await data.WriteValidOnlyAsync(connection);
            await validOnly.RefreshAsync(data.AsOf, connection);
        }

        Assert.True(data.HasUpdates || ReliabilityRun.RowsPerSeed < 50, "the generator updated no row");
        Assert.Equal("incremental", (await fuzzed.QueryAsync<string>("select refresh_mode from metrics.refresh_run order by refresh_run_id desc limit 1")).Single());
        Assert.Empty(await validOnly.QueryAsync<string>("select json_path from metrics.data_quality_issue"));
        var expected = await ReadAsync(validOnly);
        Assert.Contains("metrics.sla_resolution.rolling7d", expected);
        var actual = await ReadAsync(fuzzed);
        Assert.True(expected == actual, $"seed {seed}: the metrics differ from those of the valid rows alone\n{LineDiff.Describe(expected, actual)}");

        var planted = data.PlantedIssues().Select(i => $"{i.Table} {i.Id} {i.Path}").Order(StringComparer.Ordinal).ToList();
        var reported = (await fuzzed.QueryAsync<string>("select source_table || ' ' || source_id || ' ' || json_path from metrics.data_quality_issue"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(planted.SequenceEqual(reported),
            $"seed {seed}: planted and reported issues differ\n{LineDiff.Describe(string.Join('\n', planted), string.Join('\n', reported))}");

        ReliabilityRun.Figure("fuzz", ("seed", seed), ("rows", data.RowCount), ("malformed", planted.Count));
    }

    private static async Task<string> ReadAsync(MetricsDatabase db)
    {
        await using var connection = await db.OpenAsync();
        return await MetricsResults.ReadAsync(connection, withDataQuality: false);
    }
}
