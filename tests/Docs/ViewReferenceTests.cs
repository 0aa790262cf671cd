using Dapper;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Docs;

/// <summary>
/// The analysts' view reference: each table after <c>&lt;!-- columns: metrics.view ... --&gt;</c> in
/// docs/analysts.md lists the view's columns with their types and COMMENTs as the migrated database
/// has them (as `dbt docs generate` does); and what analysts are told to query is what a BI tool
/// reading information_schema sees as the analysts' role.
/// </summary>
public class View_reference
{
    [Fact]
    public async Task Lists_every_column_with_the_type_and_comment_of_the_database()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await using var connection = await db.OpenAsync();
        var doc = MarkdownDoc.Read("analysts.md");

        var documented = new List<string>();
        foreach (var (argument, marker) in doc.Markers("columns"))
        {
            var views = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            documented.AddRange(views);
            var table = await ColumnTableAsync(connection, views);
            var end = marker + 1;
            while (end < doc.Lines.Count && doc.Lines[end].StartsWith('|'))
                end++;
            doc.Expect(marker + 1, end - marker - 1, table, $"the columns of {string.Join(", ", views)} differ from the COMMENTs in the database");
        }
        doc.Verify();

        var catalogViews = await connection.QueryAsync<string>(
            "select 'metrics.' || c.relname from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace where n.nspname = 'metrics' and c.relkind in ('v', 'm') order by 1");
        Assert.Equal(catalogViews.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_view_and_column_is_in_information_schema_for_the_analysts_role()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var login = "analyst_" + Guid.NewGuid().ToString("N")[..8];
        await db.Server.ExecuteAsync(db.Name, $"create role {login} login password 'analyst-pw' in role metrics_reader");
        try
        {
            var catalog = await db.QueryAsync<string>(
                """
                select c.relname || '.' || a.attname
                from pg_class as c
                inner join pg_namespace as n on n.oid = c.relnamespace
                inner join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                where n.nspname = 'metrics' and c.relkind in ('v', 'm', 'r', 'p', 'f')
                  and has_table_privilege('metrics_reader', c.oid, 'select')
                order by 1
                """);
            await using var analyst = new NpgsqlConnection(db.Server.ConnectionString(db.Name, login, "analyst-pw"));
            await analyst.OpenAsync();
            var visible = (await analyst.QueryAsync<string>(
                """
                select c.table_name || '.' || c.column_name
                from information_schema.tables as t
                inner join information_schema.columns as c on c.table_schema = t.table_schema and c.table_name = t.table_name
                where t.table_schema = 'metrics'
                order by 1
                """)).ToList();

            Assert.Equal(catalog, visible);
            Assert.Contains("sla_breach.breached_at", visible);
            Assert.Equal(16, (await analyst.QueryAsync<string>("select table_name from information_schema.tables where table_schema = 'metrics'")).Count());
            // read-only for a BI tool: none offers an edit grid
            Assert.Equal(["NO"], await analyst.QueryAsync<string>("select distinct is_updatable from information_schema.views where table_schema = 'metrics'"));
            Assert.Equal(["NO"], await analyst.QueryAsync<string>("select distinct is_insertable_into from information_schema.views where table_schema = 'metrics'"));
        }
        finally
        {
            await db.Server.DropRoleAsync(login);
        }
    }

    /// <summary>One view: | column | type | meaning |; several: | view | column | type | meaning |, the view named on its first row.</summary>
    private static async Task<List<string>> ColumnTableAsync(NpgsqlConnection connection, string[] views)
    {
        var several = views.Length > 1;
        var table = new List<string> { several ? "| view | column | type | meaning |" : "| column | type | meaning |", several ? "|---|---|---|---|" : "|---|---|---|" };
        foreach (var view in views)
        {
            var columns = (await connection.QueryAsync<(string Name, string Type, string? Comment)>(
                """
                select a.attname,
                       case t.typname when 'int4' then 'integer' when 'int8' then 'bigint' when 'bool' then 'boolean' else t.typname end,
                       col_description(a.attrelid, a.attnum)
                from pg_attribute as a
                inner join pg_type as t on t.oid = a.atttypid
                where a.attrelid = @view::regclass and a.attnum > 0 and not a.attisdropped
                order by a.attnum
                """,
                new { view })).ToList();
            Assert.True(columns.Count > 0, $"docs/analysts.md names {view}, which the migrated database does not have");
            table.AddRange(columns.Select((column, i) =>
                (several ? $"| {(i == 0 ? $"`{view["metrics.".Length..]}`" : "")} " : "") +
                $"| `{column.Name}` | {column.Type} | {(column.Comment ?? "(no comment)").Replace("|", "\\|")} |"));
        }
        return table;
    }
}
