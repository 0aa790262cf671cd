using System.Text.RegularExpressions;
using DbUp.Engine;
using Metrics.Runner.Database;

namespace Metrics.Runner.Migrations;

/// <summary>
/// Values substituted into scripts before they run, each as a quoted identifier:
/// <c>${app_schema}</c>, the schema of the app tables (<c>"public"</c>), and
/// <c>${reader_role}</c>, the analysts' read-only role (<c>"metrics_reader"</c>). A DbUp
/// preprocessor: DbUp's own <c>$name$</c> variables are switched off, since they would read a
/// dollar-quoted body (<c>$body$</c>) as a variable. Checksums are taken on the text before
/// substitution.
/// </summary>
public sealed partial class ScriptVariables(IReadOnlyDictionary<string, string> values) : IScriptPreprocessor
{
    public const string DefaultReaderRole = "metrics_reader";

    public static ScriptVariables For(string appSchema, string readerRole) =>
        new(new Dictionary<string, string>
        {
            ["app_schema"] = SqlIdentifier.Quote(appSchema),
            ["reader_role"] = SqlIdentifier.Quote(readerRole),
        });

    public string KnownNames => string.Join(", ", values.Keys.Order(StringComparer.Ordinal));

    /// <summary>The first <c>${name}</c> in <paramref name="sql"/> that has no value, or null.</summary>
    public string? FindUnknown(string sql) =>
        Reference().Matches(sql).Select(match => match.Groups[1].Value).FirstOrDefault(name => !values.ContainsKey(name));

    /// <summary>The script with every variable replaced; <see cref="FindUnknown"/> is checked before any script runs.</summary>
    public string Process(string contents) =>
        Reference().Replace(contents, match => values.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"unknown variable ${{{match.Groups[1].Value}}} (known: {KnownNames})"));

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
