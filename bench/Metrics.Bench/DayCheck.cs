using Npgsql;

namespace Metrics.Bench;

/// <summary>
/// The day check every incremental refresh runs: metrics_staging.mismatched_day compares
/// each day's row count and id sum of the app tables (index-only scans of migration 0013's
/// indexes) with metrics_staging.day_signature. Timed alone, on the database as the refreshes
/// left it, up to its parse_state.parsed_through, as the refresh calls it (jit off).
/// </summary>
internal static class DayCheck
{
    public const string Query = "select count(*) from metrics_staging.mismatched_day($1)";

    /// <summary>The best time of <paramref name="runs"/>, the differing (input kind, day) pairs found, and what was compared.</summary>
    public static async Task<DayCheckResult> TimeAsync(NpgsqlDataSource dataSource, int runs)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        DateOnly parsedThrough;
        long signatures;
        await using (var state = new NpgsqlCommand("""
            select state.parsed_through, (select count(*) from metrics_staging.day_signature as kept where kept.day < state.parsed_through)
            from metrics_staging.parse_state as state
            """, connection))
        await using (var reader = await state.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync() || await reader.IsDBNullAsync(0))
                throw new InvalidOperationException("metrics_staging.parse_state has no parsed_through: the day check runs after a refresh");
            parsedThrough = reader.GetFieldValue<DateOnly>(0);
            signatures = reader.GetInt64(1);
        }
        // as metrics.refresh runs it: with jit off (the procedure sets it; compiling the check's
        // expressions costs more than running them) and the date as a parameter, so that the SQL
        // functions are inlined
        await using (var jitOff = new NpgsqlCommand("set jit = off", connection))
            await jitOff.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(Query, connection) { CommandTimeout = 0, Parameters = { new() { Value = parsedThrough } } };
        long differing = 0;
        var best = await Timing.BestOfAsync(runs, async () => differing = (long)(await command.ExecuteScalarAsync())!);
        return new DayCheckResult(best, differing, parsedThrough, signatures);
    }
}

/// <summary>The day check's best time, the differing days it found, its parsed_through and the kept day signatures before it.</summary>
internal sealed record DayCheckResult(TimeSpan Best, long DifferingDays, DateOnly ParsedThrough, long KeptSignatures);
