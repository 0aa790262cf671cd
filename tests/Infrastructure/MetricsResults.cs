using System.Text;
using Dapper;
using Metrics.Runner.Snapshots;
using Npgsql;

namespace Metrics.Tests.Infrastructure;

/// <summary>What a refresh leaves for readers, as text to compare: the analyst views and the aggregate facts.</summary>
public static class MetricsResults
{
    /// <summary>
    /// Every analyst view but the <c>_current</c> ones (and data_quality_issue unless asked), then every aggregate fact row
    /// (its generatedAt aside), ordered.
    /// </summary>
    public static async Task<string> ReadAsync(NpgsqlConnection connection, bool withDataQuality = true)
    {
        var text = new StringBuilder();
        foreach (var view in await ViewSnapshot.ReadAllAsync(connection))
            if (!view.ViewName.EndsWith("_current", StringComparison.Ordinal) && (withDataQuality || view.ViewName != "data_quality_issue"))
                text.AppendLine($"== {view.ViewName}").Append(view.Text);
        foreach (var row in await connection.QueryAsync<string>(
                     """
                     select "factType" || ' ' || value::text || ' ' || (metadata - 'generatedAt')::text
                     from "DashboardFact" where "shopDomain" = '__aggregate__'
                     order by "factType", value ->> 'windowEnd', id
                     """))
            text.AppendLine(row);
        return text.ToString();
    }

    /// <summary>
    /// What a full rebuild as of <paramref name="asOf"/> would leave (<see cref="ReadAsync"/>), run in a
    /// transaction that is rolled back, so that the database goes on from its incremental state.
    /// </summary>
    public static async Task<string> ReadFullRebuildAsync(NpgsqlConnection connection, string asOf)
    {
        await using var rebuild = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("call metrics.refresh(@asOf::timestamptz, full_rebuild => true)", new { asOf }, rebuild);
        var full = await ReadAsync(connection);
        await rebuild.RollbackAsync();
        return full;
    }
}
