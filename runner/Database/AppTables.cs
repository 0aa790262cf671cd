using Dapper;
using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>The app's tables this package reads but never creates.</summary>
public static class AppTables
{
    /// <summary>A one-line message naming the missing tables and what to do, or null when both exist.</summary>
    public static async Task<string?> FindMissingAsync(NpgsqlConnection connection, DatabaseTarget target)
    {
        var missing = (await connection.QueryAsync<string>(
            """
            select table_name
            from unnest(array['DashboardFact', 'DecisionLog']) as required(table_name)
            where to_regclass(format('%I.%I', @schema, table_name)) is null
            """,
            new { schema = target.AppSchema })).ToList();
        if (missing.Count == 0)
            return null;
        return $"the app table{(missing.Count > 1 ? "s" : "")} {string.Join(" and ", missing.Select(t => $"\"{t}\""))} " +
               $"{(missing.Count > 1 ? "are" : "is")} missing from schema \"{target.AppSchema}\" of {target.Description}: " +
               "run the app's Prisma migrations (prisma migrate deploy) first, or name the right database and schema " +
               "(the URL's ?schema= or --app-schema). Nothing was changed.";
    }
}
