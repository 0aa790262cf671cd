using System.Text.RegularExpressions;

namespace Metrics.Runner.Migrations;

/// <summary>
/// Values substituted into scripts before they run: <c>${app_schema}</c> becomes the app
/// schema as a quoted identifier (<c>"public"</c>). A script naming an unknown variable fails
/// before anything runs. Checksums are taken on the text before substitution.
/// </summary>
public sealed partial class ScriptVariables(IReadOnlyDictionary<string, string> values)
{
    public static ScriptVariables ForAppSchema(string appSchema) =>
        new(new Dictionary<string, string> { ["app_schema"] = QuoteIdentifier(appSchema) });

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
