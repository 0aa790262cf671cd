using Npgsql;

namespace Metrics.Bench;

/// <summary>The temporary files the server wrote for one database (pg_stat_database), to take deltas around a refresh.</summary>
internal sealed record ServerTempFiles(long Files, long Bytes)
{
    public static async Task<ServerTempFiles> ReadAsync(NpgsqlDataSource dataSource)
    {
        // a finished runner's backend reports its counters when it exits, just after the runner does
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "select temp_files, temp_bytes from pg_stat_database where datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new ServerTempFiles(reader.GetInt64(0), reader.GetInt64(1));
    }

    public static ServerTempFiles operator -(ServerTempFiles after, ServerTempFiles before) =>
        new(after.Files - before.Files, after.Bytes - before.Bytes);

    public override string ToString() => $"{Files} files, {Bytes / 1e6:0.0} MB";
}
