using Dapper;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Refresh;

/// <summary>The newest refresh recorded in <c>metrics.refresh_run</c>.</summary>
/// <param name="Mode">incremental or full; null when the schema predates the column (migration 0008).</param>
/// <param name="ChangedRows">App input rows it parsed; null when the schema predates the column.</param>
public sealed record LastRefresh(
    DateTime AsOf, DateTime WindowStart, DateTime WindowEnd, DateTime StartedAt, DateTime? FinishedAt, int? DataQualityIssues, string RefreshedBy,
    string? Mode, int? ChangedRows)
{
    public TimeSpan? Duration => FinishedAt - StartedAt;
}

/// <summary>One per-entity view (shops, breaches, anomalies, data-quality issues) and how many rows it holds.</summary>
public sealed record ViewRowCount(string View, long Rows);

/// <summary>
/// How current the metrics are: the last refresh, what the views hold, and the window end of
/// the newest facts in "DashboardFact" (the oldest of the three types' newest, so one missing
/// type makes the whole set stale). Read by <c>metrics status</c> for monitoring.
/// </summary>
public sealed record Freshness(LastRefresh? Last, IReadOnlyList<ViewRowCount> Views, DateTime? NewestWindowEnd, DateTime Now)
{
    /// <summary>
    /// Age of what readers see: the newest facts, or the views when the last refresh is older
    /// (a backfill that stopped part way leaves the views at a past day).
    /// </summary>
    public TimeSpan? Age => NewestWindowEnd is { } windowEnd
        ? Now - (Last?.WindowEnd < windowEnd ? Last.WindowEnd : windowEnd)
        : null;

    public bool ViewsLagFacts => Last?.WindowEnd < NewestWindowEnd;

    /// <summary>Null when the metrics schema is not (fully) migrated: nothing to report yet.</summary>
    public static async Task<Freshness?> ReadAsync(NpgsqlConnection connection)
    {
        if (!await connection.ExecuteScalarAsync<bool>("select to_regprocedure('metrics_staging.newest_fact()') is not null"))
            return null;
        var last = await connection.QuerySingleOrDefaultAsync<LastRefresh?>(
            """
            select as_of at time zone 'UTC' as AsOf, window_start at time zone 'UTC' as WindowStart,
                   window_end at time zone 'UTC' as WindowEnd, started_at at time zone 'UTC' as StartedAt,
                   finished_at at time zone 'UTC' as FinishedAt, data_quality_issues as DataQualityIssues,
                   refreshed_by as RefreshedBy,
                   -- through to_jsonb: a schema migrated before 0008 has neither column, and status still reads it
                   to_jsonb(run) ->> 'refresh_mode' as Mode, (to_jsonb(run) ->> 'changed_rows')::int as ChangedRows
            from metrics.refresh_run as run
            order by refresh_run_id desc
            limit 1
            """);
        var viewNames = await connection.QueryAsync<string>(
            """
            select c.relname from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace
            where n.nspname = 'metrics' and c.relkind = 'v' and c.relname !~ '_(daily|weekly|rolling7d|current)$' order by c.relname
            """);
        var views = viewNames.Any()
            ? (await connection.QueryAsync<ViewRowCount>(string.Join(" union all ", viewNames.Select(view =>
                $"select '{view.Replace("'", "''")}' as View, count(*) as Rows from metrics.{SqlIdentifier.Quote(view)}")) + " order by 1")).ToList()
            : [];
        var (newestWindowEnd, now) = await connection.QuerySingleAsync<(DateTime?, DateTime)>(
            """
            select case when count(window_end) = 3 then min(window_end) end at time zone 'UTC', now() at time zone 'UTC'
            from metrics_staging.newest_fact()
            """);
        return new Freshness(last, views, newestWindowEnd, now);
    }
}
