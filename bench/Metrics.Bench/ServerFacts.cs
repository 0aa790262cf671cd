using Npgsql;

namespace Metrics.Bench;

/// <summary>The machine and server a run measured: the context every figure needs.</summary>
internal sealed record ServerFacts(string Version, string Settings)
{
    private static readonly string[] Shown =
        ["shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "max_wal_size",
         "max_parallel_workers_per_gather", "random_page_cost", "jit", "fsync"];

    public static async Task<ServerFacts> ReadAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "select current_setting('server_version'), string_agg(name || '=' || current_setting(name), ', ' order by ordinality) from unnest($1) with ordinality as name",
            connection);
        command.Parameters.AddWithValue(Shown);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new ServerFacts(reader.GetString(0), reader.GetString(1));
    }

    public static string Machine()
    {
        var memoryLine = File.ReadLines("/proc/meminfo").First(line => line.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kilobytes = long.Parse(memoryLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return $"{Environment.ProcessorCount} cores (nproc), {kilobytes / 1024.0 / 1024.0:0.0} GiB memory";
    }
}
