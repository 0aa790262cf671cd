using System.Text;
using System.Text.RegularExpressions;

namespace Metrics.Tests.Docs;

/// <summary>
/// A message as the runner's code writes it: the text of a C# string literal (several joined by
/// <c>+</c> are one), with a hole for each interpolated <c>{expression}</c> and for each expression
/// joined in with <c>+</c>; or a PostgreSQL RAISE WARNING of a repeatable script, message then hint.
/// </summary>
public sealed partial record MessageTemplate(string Source, IReadOnlyList<string?> Parts)
{
    /// <summary>Shorter literal text says too little to identify a message (<c>error: {message}</c>).</summary>
    public const int MinimumLiteralLength = 12;

    /// <summary>The template without holes at its ends, as a pattern: a hole matches any text.</summary>
    public Regex Pattern { get; } = new(string.Concat(Trimmed(Parts).Select(p => p is null ? ".+?" : Regex.Escape(p))));

    public int LiteralLength { get; } = Parts.Sum(p => p?.Length ?? 0);

    public override string ToString() => $"{Source}: \"{string.Concat(Parts.Select(p => p ?? "{…}"))}\"";

    /// <summary>Every string literal of a C# file (raw and verbatim literals skipped: they are SQL and patterns here).</summary>
    public static IEnumerable<MessageTemplate> FromCSharp(string source, string text)
    {
        var i = 0;
        List<string?>? current = null;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
                i = SkipTo(text, i, "\n");
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
                i = SkipTo(text, i + 2, "*/");
            else if (c == '\'')
                i = SkipCharLiteral(text, i);
            else if (At(text, i, "\"\"\"") || At(text, i, "$\"\"\"") || At(text, i, "$$\"\"\""))
                i = SkipTo(text, text.IndexOf("\"\"\"", i, StringComparison.Ordinal) + 3, "\"\"\"");
            else if (At(text, i, "@\"") || At(text, i, "$@\"") || At(text, i, "@$\""))
                i = SkipVerbatim(text, text.IndexOf('"', i) + 1);
            else if (c == '"' || At(text, i, "$\""))
            {
                var interpolated = c == '$';
                var (parts, next) = ReadLiteral(text, i + (interpolated ? 2 : 1), interpolated);
                current ??= [];
                current.AddRange(parts);
                i = next;
                var after = SkipSpace(text, i);
                if (after < text.Length && text[after] == '+')
                {
                    var operand = SkipSpace(text, after + 1);
                    if (operand < text.Length && (text[operand] == '"' || At(text, operand, "$\"")))
                    {
                        i = operand;
                        continue;
                    }
                    current.Add(null); // an expression joined in: a hole, then whatever literal follows it
                    continue;
                }
                if (current.Sum(p => p?.Length ?? 0) >= MinimumLiteralLength)
                    yield return new MessageTemplate(source, current);
                current = null;
            }
            else
                i++;
        }
    }

    /// <summary>RAISE WARNING '...' USING hint = format('...'): what `metrics migrate` prints as one warning.</summary>
    public static IEnumerable<MessageTemplate> FromSql(string source, string text)
    {
        foreach (Match match in RaiseWarning().Matches(text))
        {
            var message = SqlFormatHoles(match.Groups["message"].Value) + (match.Groups["hint"].Success ? " " + SqlFormatHoles(match.Groups["hint"].Value) : "");
            yield return new MessageTemplate(source, Split(message));
        }
    }

    private static string SqlFormatHoles(string literal) => FormatPlaceholder().Replace(literal.Replace("''", "'"), "\0");

    private static List<string?> Split(string text) =>
        text.Split('\0').SelectMany((literal, i) => i == 0 ? [literal] : new string?[] { null, literal }).ToList();

    private static IEnumerable<string?> Trimmed(IReadOnlyList<string?> parts)
    {
        var list = parts.Where(p => p != "").ToList();
        while (list.Count > 0 && list[0] is null)
            list.RemoveAt(0);
        while (list.Count > 0 && list[^1] is null)
            list.RemoveAt(list.Count - 1);
        return list;
    }

    private static (List<string?> Parts, int Next) ReadLiteral(string text, int i, bool interpolated)
    {
        var parts = new List<string?>();
        var literal = new StringBuilder();
        while (text[i] != '"')
        {
            if (text[i] == '\\')
            {
                literal.Append(text[i + 1] switch { 'n' => '\n', 't' => '\t', '0' => '\0', var other => other });
                i += 2;
            }
            else if (interpolated && (At(text, i, "{{") || At(text, i, "}}")))
            {
                literal.Append(text[i]);
                i += 2;
            }
            else if (interpolated && text[i] == '{')
            {
                parts.Add(literal.ToString());
                literal.Clear();
                parts.Add(null);
                i = SkipHole(text, i + 1);
            }
            else
                literal.Append(text[i++]);
        }
        parts.Add(literal.ToString());
        return (parts, i + 1);
    }

    /// <summary>Past the closing brace of an interpolation hole, skipping nested braces and strings.</summary>
    private static int SkipHole(string text, int i)
    {
        var depth = 1;
        while (depth > 0)
        {
            if (text[i] == '"' || At(text, i, "$\""))
            {
                var interpolated = text[i] == '$';
                i = ReadLiteral(text, i + (interpolated ? 2 : 1), interpolated).Next;
                continue;
            }
            if (text[i] == '\'')
            {
                i = SkipCharLiteral(text, i);
                continue;
            }
            depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
            i++;
        }
        return i;
    }

    private static int SkipCharLiteral(string text, int i) => text[i + 1] == '\\' ? text.IndexOf('\'', i + 3) + 1 : i + 3;

    private static int SkipVerbatim(string text, int i)
    {
        while (!(text[i] == '"' && (i + 1 >= text.Length || text[i + 1] != '"')))
            i += text[i] == '"' ? 2 : 1;
        return i + 1;
    }

    private static int SkipTo(string text, int i, string end)
    {
        var at = text.IndexOf(end, i, StringComparison.Ordinal);
        return at < 0 ? text.Length : at + end.Length;
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
        return i;
    }

    private static bool At(string text, int i, string token) => string.CompareOrdinal(text, i, token, 0, token.Length) == 0;

    [GeneratedRegex(@"raise warning '(?<message>(?:[^']|'')*)'(?:[^;]*?hint\s*=\s*format\('(?<hint>(?:[^']|'')*)')?", RegexOptions.IgnoreCase)]
    private static partial Regex RaiseWarning();

    [GeneratedRegex("%[sIL%]?")]
    private static partial Regex FormatPlaceholder();
}
