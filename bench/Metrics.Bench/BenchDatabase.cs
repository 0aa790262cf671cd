using System.Diagnostics;
using Npgsql;

namespace Metrics.Bench;

/// <summary>
/// One database of the throwaway server holding the app tables and the generated fleet:
/// created empty, filled day by day by bench/generate.sql, dropped at the end.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public const long Seed = 8;
    public static readonly DateOnly FirstDay = new(2025, 9, 1);

    private readonly string _serverConnection;

    private BenchDatabase(string serverConnection, string name, int shops)
    {
        _serverConnection = serverConnection;
        Name = name;
        Shops = shops;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnection) { Database = name, CommandTimeout = 0 }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }
    public int Shops { get; }
    public int Days { get; private set; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The instant of the nightly job after the last generated day: that day + 1, 02:00Z.</summary>
    public DateTimeOffset NextNightlyAsOf =>
        new(FirstDay.AddDays(Days).ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero);

    public static async Task<BenchDatabase> CreateAsync(string serverConnection, string name, int shops)
    {
        await using (var server = new NpgsqlConnection(serverConnection))
        {
            await server.OpenAsync();
            await Execute(server, $"drop database if exists {name}");
            await Execute(server, $"create database {name}");
        }
        var database = new BenchDatabase(serverConnection, name, shops);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await Execute(connection, Sql.Read("app_tables.sql"));
        await Execute(connection, Sql.Read("generate.sql"));
        return database;
    }

    /// <summary>Generates <paramref name="days"/> more UTC days of rows after the ones already there; returns the wall time.</summary>
    public async Task<TimeSpan> AppendDaysAsync(int days)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("call bench.generate_days($1, $2, $3, $4, $5)", connection);
        command.Parameters.AddWithValue(Seed);
        command.Parameters.AddWithValue(Shops);
        command.Parameters.AddWithValue(FirstDay);
        command.Parameters.AddWithValue(Days);
        command.Parameters.AddWithValue(Days + days);
        await command.ExecuteNonQueryAsync();
        Days += days;
        return clock.Elapsed;
    }

    /// <summary>
    /// The app updates one old row: the first chatwoot.escalations row created on or after
    /// <paramref name="from"/> gets a new "updatedAt". Returns the UTC day of its "createdAt".
    /// </summary>
    public async Task<DateOnly> TouchOldEscalationAsync(DateOnly from)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            update "DashboardFact" set "updatedAt" = now()
            where id = (select id from "DashboardFact"
                        where "factType" = 'chatwoot.escalations' and "createdAt" >= $1
                        order by "createdAt" limit 1)
            returning "createdAt"::date
            """, connection);
        command.Parameters.AddWithValue(from);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? reader.GetFieldValue<DateOnly>(0)
            : throw new InvalidOperationException($"no chatwoot.escalations row created on or after {from:yyyy-MM-dd} to update");
    }

    /// <summary>What autovacuum would have done to a history loaded over weeks: hint bits, visibility map, statistics.</summary>
    public async Task VacuumAnalyzeAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await Execute(connection, """vacuum analyze "DashboardFact", "DecisionLog" """);
    }

    public async Task<DataSize> MeasureSizeAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            select
                (select count(*) from "DashboardFact"),
                (select count(*) from "DashboardFact" where "factType" = 'chatwoot.escalations'),
                (select coalesce(sum(jsonb_array_length(value)), 0) from "DashboardFact" where "factType" = 'chatwoot.escalations' and jsonb_typeof(value) = 'array'),
                (select coalesce(sum(jsonb_array_length(metadata -> 'breaches')), 0) from "DashboardFact" where "factType" = 'chatwoot.escalations' and jsonb_typeof(metadata -> 'breaches') = 'array'),
                (select count(*) from "DecisionLog"),
                pg_database_size(current_database())
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new DataSize(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(_serverConnection);
        await server.OpenAsync();
        await Execute(server, $"drop database if exists {Name} with (force)");
    }

    public static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>What a generated database holds.</summary>
internal sealed record DataSize(long Facts, long EscalationRows, long Conversations, long Breaches, long Decisions, long Bytes)
{
    public override string ToString() =>
        $"{Facts:N0} \"DashboardFact\" rows ({EscalationRows:N0} chatwoot.escalations rows holding {Conversations:N0} conversation elements "
        + $"and {Breaches:N0} metadata.breaches elements), {Decisions:N0} \"DecisionLog\" rows, {Bytes / 1e9:0.00} GB";
}
