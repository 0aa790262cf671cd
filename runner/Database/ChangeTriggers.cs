using Dapper;
using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>One of the package's statement triggers on the app tables and its state (metrics_staging.change_trigger()).</summary>
public sealed record ChangeTrigger(string TriggerName, string AppTable, string State)
{
    public bool IsFiring => State == "enabled";
}

/// <summary>
/// The triggers that log the app's changed days, as <c>metrics status</c> reports them. A trigger
/// that does not fire loses nothing (the refresh finds and repairs the days it missed) but makes
/// every such day a repair: status says so with its own exit code.
/// </summary>
public static class ChangeTriggers
{
    /// <summary>Null when the schema is not migrated far enough to list them.</summary>
    public static async Task<IReadOnlyList<ChangeTrigger>?> ReadAsync(NpgsqlConnection connection)
    {
        if (!await connection.ExecuteScalarAsync<bool>("select to_regprocedure('metrics_staging.change_trigger()') is not null"))
            return null;
        return [.. await connection.QueryAsync<ChangeTrigger>(
            "select trigger_name as TriggerName, app_table::text as AppTable, state as State from metrics_staging.change_trigger() order by app_table::text, trigger_name")];
    }

    /// <summary>
    /// Logical replication subscriptions of the current database: rows they apply fire no
    /// statement trigger (PostgreSQL's apply fires row triggers only), so each refresh finds their
    /// days by the day check instead.
    /// </summary>
    public static Task<int> CountSubscriptionsAsync(NpgsqlConnection connection) =>
        connection.ExecuteScalarAsync<int>(
            "select count(*)::int from pg_catalog.pg_subscription where subdbid = (select oid from pg_catalog.pg_database where datname = current_database())");
}
