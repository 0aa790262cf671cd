using Npgsql;

namespace Metrics.Bench;

/// <summary>
/// The newest metrics.refresh_run row: how long the procedure ran on the server (finished_at −
/// started_at: the CALL without the runner's process start, connection and checks), how it ran
/// (refresh_mode) and how many app rows it parsed (changed_rows).
/// </summary>
internal sealed record RefreshRun(TimeSpan Elapsed, string Mode, long ParsedRows)
{
    public static async Task<RefreshRun> ReadNewestAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            select finished_at - started_at, coalesce(refresh_mode, '?'), coalesce(changed_rows, 0)
            from metrics.refresh_run
            order by refresh_run_id desc
            limit 1
            """);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync() || reader.IsDBNull(0))
            throw new InvalidOperationException("metrics.refresh_run has no finished refresh");
        return new RefreshRun(reader.GetTimeSpan(0), reader.GetString(1), reader.GetInt64(2));
    }
}
