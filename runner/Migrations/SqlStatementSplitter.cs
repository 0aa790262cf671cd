namespace Metrics.Runner.Migrations;

/// <summary>One statement of a script and the 1-based line it starts on.</summary>
public sealed record SqlStatement(string Sql, int StartLine)
{
    /// <summary>Script line of a 1-based character position inside this statement (PostgreSQL's error position).</summary>
    public int LineOf(int position)
    {
        var end = Math.Clamp(position - 1, 0, Sql.Length);
        return StartLine + Sql.AsSpan(0, end).Count('\n');
    }
}

/// <summary>
/// Splits a script into statements at top-level semicolons, understanding what may hide one:
/// quoted strings (also E'' with backslash escapes), quoted identifiers, dollar-quoted bodies
/// and comments (nested block comments too). Chunks holding only comments are dropped.
/// Statements are executed one by one so an error can name the script line it happened on.
/// </summary>
public static class SqlStatementSplitter
{
    public static IReadOnlyList<SqlStatement> Split(string sql)
    {
        var statements = new List<SqlStatement>();
        var start = 0;
        var startLine = 1;
        var line = 1;
        var hasCode = false;
        var i = 0;

        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                i = SkipTo(sql, i, "\n", ref line, consumeTerminator: false);
                continue;
            }
            if (c == '/' && next == '*')
            {
                i = SkipBlockComment(sql, i, ref line);
                continue;
            }

            if (c == ';')
            {
                if (hasCode)
                    statements.Add(new SqlStatement(sql[start..(i + 1)], startLine));
                start = i + 1;
                startLine = line;
                hasCode = false;
                i++;
                continue;
            }

            if (!char.IsWhiteSpace(c))
                hasCode = true;

            if (c == '\'')
            {
                var backslashEscapes = i > 0 && sql[i - 1] is 'E' or 'e' && (i < 2 || !IsIdentifierChar(sql[i - 2]));
                i = SkipQuoted(sql, i, '\'', backslashEscapes, ref line);
            }
            else if (c == '"')
            {
                i = SkipQuoted(sql, i, '"', backslashEscapes: false, ref line);
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                i = SkipTo(sql, i + tag.Length, tag, ref line, consumeTerminator: true);
            }
            else
            {
                if (c == '\n')
                    line++;
                i++;
            }
        }

        if (hasCode)
            statements.Add(new SqlStatement(sql[start..], startLine));
        return statements;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    /// <summary>The <c>$tag$</c> opening at <paramref name="i"/>, or null when <c>$</c> starts something else ($1, a$b).</summary>
    private static string? DollarTag(string sql, int i)
    {
        if (i > 0 && IsIdentifierChar(sql[i - 1]))
            return null;
        var end = i + 1;
        while (end < sql.Length && (char.IsLetter(sql[end]) || sql[end] == '_' || (end > i + 1 && char.IsDigit(sql[end]))))
            end++;
        return end < sql.Length && sql[end] == '$' ? sql[i..(end + 1)] : null;
    }

    private static int SkipQuoted(string sql, int i, char quote, bool backslashEscapes, ref int line)
    {
        i++;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\n')
                line++;
            if (backslashEscapes && c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static int SkipBlockComment(string sql, int i, ref int line)
    {
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                    return i;
            }
            else
            {
                if (sql[i] == '\n')
                    line++;
                i++;
            }
        }
        return i;
    }

    private static int SkipTo(string sql, int i, string terminator, ref int line, bool consumeTerminator)
    {
        var end = sql.IndexOf(terminator, i, StringComparison.Ordinal);
        if (end < 0)
            end = sql.Length;
        else if (consumeTerminator)
            end += terminator.Length;
        line += sql.AsSpan(i, end - i).Count('\n');
        return end;
    }
}
