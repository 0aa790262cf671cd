using Npgsql;

namespace Metrics.Bench;

/// <summary>
/// What analysts run: every metrics.*_daily, *_weekly, *_rolling7d and *_current view in full, and one shop's
/// rows of each per-entity relation. Found in the catalog, so new views are measured too.
/// </summary>
internal sealed class AnalystQueries
{
    private static readonly string[] PerEntity = ["shop_activation", "sla_breach", "landing_page_anomaly", "data_quality_issue"];

    private AnalystQueries(IReadOnlyList<(string Label, string Sql)> queries) => Queries = queries;

    public IReadOnlyList<(string Label, string Sql)> Queries { get; }

    public static async Task<AnalystQueries> FindAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var views = new List<string>();
        await using (var command = new NpgsqlCommand("""
            select c.relname
            from pg_class as c
            join pg_namespace as n on n.oid = c.relnamespace
            where n.nspname = 'metrics' and c.relkind in ('v', 'm', 'r')
              and (c.relname like '%\_daily' or c.relname like '%\_weekly' or c.relname like '%\_rolling7d' or c.relname like '%\_current')
            order by c.relname
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                views.Add(reader.GetString(0));
        // a shop with every kind of input: GA reports (and, like 95% of shops, Chatwoot)
        await using var shopCommand = new NpgsqlCommand("""
            select "shopDomain" from "DashboardFact" where "factType" = 'ga.sessions.anomalies' order by id limit 1
            """, connection);
        var shop = (string)(await shopCommand.ExecuteScalarAsync())!;
        return new AnalystQueries([
            .. views.Select(view => ($"metrics.{view}", $"select * from metrics.{view}")),
            .. PerEntity.Select(relation => ($"metrics.{relation}, one shop", $"select * from metrics.{relation} where shop_domain = '{shop}'")),
        ]);
    }

    /// <summary>Each query's best time of <paramref name="runs"/>, reading every row.</summary>
    public async Task<IReadOnlyList<(string Label, TimeSpan Best)>> TimeAsync(NpgsqlDataSource dataSource, int runs)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var results = new List<(string, TimeSpan)>();
        foreach (var (label, sql) in Queries)
            results.Add((label, await Timing.BestOfAsync(runs, () => ReadAllAsync(connection, sql))));
        return results;
    }

    public static async Task ReadAllAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }
}
