using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// A fresh, fully migrated database for one test (or one with the app tables only), with helpers to write app rows exactly as the
/// app does and to run and read the refresh. Times are UTC strings such as "2025-10-06T10:00:00".
/// </summary>
public sealed class MetricsDatabase : IAsyncDisposable
{
    private MetricsDatabase(PostgresServer server, string name)
    {
        Server = server;
        Name = name;
    }

    public PostgresServer Server { get; }
    public string Name { get; }
    public string ConnectionString => Server.ConnectionString(Name);

    public static async Task<MetricsDatabase> CreateAsync()
    {
        var server = await PostgresServer.Instance;
        return new MetricsDatabase(server, await server.CreateDatabaseAsync(PostgresServer.MigratedTemplate));
    }

    /// <summary>A fresh database with the app tables but without the metrics schema: what `metrics migrate` starts from.</summary>
    public static async Task<MetricsDatabase> CreateUnmigratedAsync()
    {
        var server = await PostgresServer.Instance;
        return new MetricsDatabase(server, await server.CreateDatabaseAsync(PostgresServer.AppTablesTemplate));
    }

    public async ValueTask DisposeAsync() => await Server.DropDatabaseAsync(Name);

    /// <summary>The server's now(): what a refresh or backfill plan run next takes as now, give or take the seconds in between.</summary>
    public async Task<DateTimeOffset> ServerNowAsync()
    {
        await using var db = await OpenAsync();
        return new DateTimeOffset(await db.ExecuteScalarAsync<DateTime>("select now()"), TimeSpan.Zero);
    }

    public async Task<NpgsqlConnection> OpenAsync(string? timeZone = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Timezone = timeZone };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<int> FactAsync(string shop, string factType, string createdAt, string value, string? metadata = null)
    {
        await using var db = await OpenAsync();
        return await db.ExecuteScalarAsync<int>(
            """
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
            values (@shop, @factType, 'ops', @value::jsonb, @metadata::jsonb, @createdAt::timestamp, @createdAt::timestamp)
            returning id
            """,
            new { shop, factType, value, metadata, createdAt });
    }

    public Task<int> SessionOpenedAsync(string shop, string createdAt) =>
        FactAsync(shop, "dashboard.session.opened", createdAt,
            $$"""{"openedAt": "{{createdAt}}Z", "operatorEmail": "operator@{{shop}}"}""",
            """{"requestId": "r-1", "generatedAt": "2025-01-01T00:00:00Z"}""");

    public async Task DecisionAsync(string shop, string action, string createdAt, string? externalRef = null, string? payload = null, string scope = "ops")
    {
        await using var db = await OpenAsync();
        await db.ExecuteAsync(
            """
            insert into "DecisionLog" (scope, actor, action, "shopDomain", "externalRef", payload, "createdAt")
            values (@scope, 'operator@example.com', @action, @shop, @externalRef, @payload::jsonb, @createdAt::timestamp)
            """,
            new { scope, action, shop, externalRef, payload, createdAt });
    }

    public async Task RefreshAsync(string asOf, NpgsqlConnection? connection = null)
    {
        var db = connection ?? await OpenAsync();
        try
        {
            await db.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf });
        }
        finally
        {
            if (connection is null)
                await db.DisposeAsync();
        }
    }

    /// <summary>The aggregate facts of one type, oldest first: (value, metadata).</summary>
    public async Task<List<(JsonObject Value, JsonObject Metadata)>> AggregateFactsAsync(string factType)
    {
        await using var db = await OpenAsync();
        var rows = await db.QueryAsync<(string Value, string Metadata)>(
            """
            select value::text, metadata::text from "DashboardFact"
            where "shopDomain" = '__aggregate__' and "factType" = @factType
            order by id
            """,
            new { factType });
        return rows.Select(r => (JsonNode.Parse(r.Value)!.AsObject(), JsonNode.Parse(r.Metadata)!.AsObject())).ToList();
    }

    /// <summary>The single aggregate fact of one type; fails when there is not exactly one.</summary>
    public async Task<JsonObject> SingleFactAsync(string factType) => (await AggregateFactsAsync(factType)).Single().Value;

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var db = await OpenAsync();
        return (await db.QueryAsync<T>(sql, parameters)).ToList();
    }
}
