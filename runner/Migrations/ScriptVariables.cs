using System.Text.RegularExpressions;

namespace Metrics.Runner.Migrations;

/// <summary>
/// Values substituted into scripts before they run, each as a quoted identifier:
/// <c>${app_schema}</c>, the schema of the app tables (<c>"public"</c>), and
/// <c>${reader_role}</c>, the analysts' read-only role (<c>"metrics_reader"</c>). A script
/// naming an unknown variable fails before anything runs. Checksums are taken on the text
/// before substitution.
/// </summary>
public sealed partial class ScriptVariables(IReadOnlyDictionary<string, string> values)
{
    public const string DefaultReaderRole = "metrics_reader";

    public static ScriptVariables For(string appSchema, string readerRole) =>
        new(new Dictionary<string, string>
        {
            ["app_schema"] = QuoteIdentifier(appSchema),
            ["reader_role"] = QuoteIdentifier(readerRole),
        });

    public string KnownNames => string.Join(", ", values.Keys.Order(StringComparer.Ordinal));

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public bool TrySubstitute(string sql, out string result, out string unknownVariable)
    {
        string? unknown = null;
        result = Reference().Replace(sql, match =>
        {
            if (values.TryGetValue(match.Groups[1].Value, out var value))
                return value;
            unknown ??= match.Groups[1].Value;
            return match.Value;
        });
        unknownVariable = unknown ?? "";
        return unknown is null;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
