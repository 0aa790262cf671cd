using System.Text.RegularExpressions;
using Metrics.Tests.Infrastructure;

namespace Metrics.Tests.Security;

/// <summary>
/// The SQL a DBA runs, read from the "Least privilege" section of docs/runbook.md, so the test
/// runs what the document says. The document's names (database shop, roles app_owner,
/// metrics_owner, metrics_reader, alice, password 'change-me') are replaced by the test's own.
/// </summary>
public sealed partial class RunbookGrants
{
    private const string SectionHeading = "## Least privilege: the roles a DBA creates";

    private RunbookGrants(IReadOnlyList<string> blocks) => Blocks = blocks;

    /// <summary>The section's ```sql blocks in order: 1. roles and daily grants, 2. before the first migrate, 3. after it.</summary>
    public IReadOnlyList<string> Blocks { get; }

    /// <summary>The one-line grant of the reader role to an analyst login, as the section writes it.</summary>
    public string AnalystGrant { get; private init; } = "";

    public static RunbookGrants Read()
    {
        var runbook = File.ReadAllText(Path.Combine(Checkout.Root, "docs", "runbook.md"));
        var start = runbook.IndexOf(SectionHeading, StringComparison.Ordinal);
        if (start < 0)
            throw new InvalidOperationException($"docs/runbook.md has no section '{SectionHeading}'");
        var end = runbook.IndexOf("\n## ", start + SectionHeading.Length, StringComparison.Ordinal);
        var section = end < 0 ? runbook[start..] : runbook[start..end];
        var blocks = SqlBlock().Matches(section).Select(m => m.Groups[1].Value).ToList();
        var analystGrant = AnalystGrantLine().Match(section);
        if (blocks.Count != 3 || !analystGrant.Success)
            throw new InvalidOperationException("the least-privilege section of docs/runbook.md should hold three ```sql blocks and `GRANT metrics_reader TO alice;`");
        return new RunbookGrants(blocks) { AnalystGrant = analystGrant.Groups[1].Value };
    }

    /// <summary><paramref name="sql"/> with the document's names replaced by <paramref name="names"/> (whole words only).</summary>
    public static string WithNames(string sql, IReadOnlyDictionary<string, string> names) =>
        names.Aggregate(sql, (text, name) => Regex.Replace(text, $@"(?<![A-Za-z0-9_]){Regex.Escape(name.Key)}(?![A-Za-z0-9_])", name.Value.Replace("$", "$$")));

    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();

    [GeneratedRegex(@"`(GRANT metrics_reader TO alice;)`")]
    private static partial Regex AnalystGrantLine();
}
