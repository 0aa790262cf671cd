using Npgsql;

namespace Metrics.Tests.Docs;

/// <summary>
/// A query's result as psql prints it in its default aligned format without the row-count footer:
/// centred headers, numbers right-aligned, everything else left-aligned, NULL as nothing. Values are
/// PostgreSQL's own text forms (the command asks for text results).
/// </summary>
public static class AlignedTable
{
    /// <summary>Marks rows left out of an example's output.</summary>
    public const string Elided = "...";

    private static readonly HashSet<string> RightAligned = ["smallint", "integer", "bigint", "real", "double precision", "numeric", "oid", "money"];

    /// <summary>Runs <paramref name="sql"/> and formats every row.</summary>
    public static async Task<List<string>> QueryAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { AllResultTypesAreUnknown = true };
        await using var reader = await command.ExecuteReaderAsync();
        var columns = reader.GetColumnSchema();
        var names = columns.Select(c => c.ColumnName).ToList();
        var isRight = columns.Select(c => RightAligned.Contains(c.PostgresType.DisplayName)).ToList();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : reader.GetString(i)).ToArray());
        return Format(names, isRight, rows);
    }

    /// <summary>Keeps the first <paramref name="head"/> and last <paramref name="tail"/> rows, with <see cref="Elided"/> between, when rows are left out.</summary>
    public static List<string> Elide(List<string> table, int head, int tail)
    {
        const int header = 2;
        if (header + head + tail >= table.Count)
            return table;
        return [.. table.Take(header + head), Elided, .. table.TakeLast(tail)];
    }

    private static List<string> Format(List<string> names, List<bool> isRight, List<string[]> rows)
    {
        var widths = names.Select((name, i) => rows.Select(r => r[i].Length).Prepend(name.Length).Max()).ToList();
        string Line(IEnumerable<string> cells) => (" " + string.Join(" | ", cells)).TrimEnd();
        var lines = new List<string>
        {
            Line(names.Select((name, i) => new string(' ', (widths[i] - name.Length) / 2) + name + new string(' ', (widths[i] - name.Length + 1) / 2))),
            string.Join("+", widths.Select(w => new string('-', w + 2))),
        };
        lines.AddRange(rows.Select(row => Line(row.Select((value, i) => isRight[i] ? value.PadLeft(widths[i]) : value.PadRight(widths[i])))));
        return lines;
    }
}
