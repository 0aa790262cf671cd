using System.Text;
using Dapper;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Snapshots;

/// <summary>One analyst view's rows as deterministic text.</summary>
public sealed record ViewSnapshot(string ViewName, string Text)
{
    /// <summary>The rows of the view: every line but the header.</summary>
    public int RowCount => Text.Count(c => c == '\n') - 1;

    /// <summary>
    /// Reads every view and materialized view in the <c>metrics</c> schema as tab-separated text:
    /// a header of column names, then rows ordered by every column's text (collation "C"), values
    /// in PostgreSQL's own text form in ISO date style, instants (timestamptz) as UTC, escaped as
    /// in COPY's text format (<c>\N</c> for NULL). The views are queried in the session's own
    /// TimeZone, as analysts query them; the text is independent of it and of the server's collation.
    /// </summary>
    public static async Task<IReadOnlyList<ViewSnapshot>> ReadAllAsync(NpgsqlConnection connection)
    {
        await connection.ExecuteAsync(
            "select set_config('DateStyle', 'ISO, YMD', false), set_config('IntervalStyle', 'postgres', false)");
        var views = await connection.QueryAsync<string>(
            """
            select c.relname
            from pg_class as c
            inner join pg_namespace as n on n.oid = c.relnamespace
            where n.nspname = 'metrics' and c.relkind in ('v', 'm')
            order by c.relname
            """);
        var snapshots = new List<ViewSnapshot>();
        foreach (var view in views)
            snapshots.Add(new ViewSnapshot(view, await ReadAsync(connection, view)));
        return snapshots;
    }

    /// <summary>NULL as PostgreSQL's COPY text format writes it.</summary>
    private const string Null = "\\N";

    /// <summary>Backslash, tab, newline and carriage return escaped as in COPY text format, so every row stays one line.</summary>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    private static async Task<string> ReadAsync(NpgsqlConnection connection, string view)
    {
        var columns = (await connection.QueryAsync<(string Name, bool IsInstant)>(
            """
            select a.attname, a.atttypid = 'timestamptz'::regtype
            from pg_attribute as a
            where a.attrelid = format('metrics.%I', @view)::regclass and a.attnum > 0 and not a.attisdropped
            order by a.attnum
            """,
            new { view })).ToList();
        var quoted = columns.Select(c => SqlIdentifier.Quote(c.Name)).ToList();
        // an instant as its UTC text ("2025-10-06 10:00:00+00"), whatever the session's TimeZone
        var texts = quoted.Select((c, i) => columns[i].IsInstant ? $"case when isfinite({c}) then ({c} at time zone 'UTC')::text || '+00' else {c}::text end" : $"{c}::text").ToList();
        // ordered by each value's text in the "C" collation: the same order on every server
        var sql = $"select {string.Join(", ", texts)} from metrics.{SqlIdentifier.Quote(view)} " +
                  $"order by {string.Join(", ", texts.Select(t => $"{t} collate \"C\" nulls first"))}";

        var text = new StringBuilder().AppendLine(string.Join('\t', columns.Select(c => c.Name)));
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var values = Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? Null : Escape(reader.GetString(i)));
            text.AppendLine(string.Join('\t', values));
        }
        return text.ToString();
    }
}
