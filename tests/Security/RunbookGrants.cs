using System.Text.RegularExpressions;
using Metrics.Tests.Infrastructure;

namespace Metrics.Tests.Security;

/// <summary>
/// The SQL a DBA runs, read from docs/runbook.md, so the tests run what the document says: the
/// "Least privilege" section's blocks, and any other section's (<see cref="SqlBlocks"/>). The
/// document's names (database shop, roles app_owner, metrics_owner, metrics_reader, alice,
/// new_dba, bi_reader, bob, password 'change-me') are replaced by the test's own.
/// </summary>
public sealed partial class RunbookGrants
{
    private const string SectionHeading = "## Least privilege: the roles a DBA creates";

    private RunbookGrants(IReadOnlyList<string> blocks) => Blocks = blocks;

    /// <summary>
    /// The section's ```sql blocks in order: 1. roles and daily grants, 2. before the first migrate,
    /// 3. after it, 4. the metrics owner's grants to a DBA login created later, 5. what that login runs.
    /// </summary>
    public IReadOnlyList<string> Blocks { get; }

    /// <summary>The one-line grant of the reader role to an analyst login, as the section writes it.</summary>
    public string AnalystGrant { get; private init; } = "";

    public static RunbookGrants Read()
    {
        var blocks = SqlBlocks(SectionHeading);
        var analystGrant = AnalystGrantLine().Match(Section(SectionHeading));
        if (blocks.Count != 5 || !analystGrant.Success)
            throw new InvalidOperationException("the least-privilege section of docs/runbook.md should hold five ```sql blocks and `GRANT metrics_reader TO alice;`");
        return new RunbookGrants(blocks) { AnalystGrant = analystGrant.Groups[1].Value };
    }

    /// <summary>
    /// The ```sql blocks of the section of docs/runbook.md that <paramref name="heading"/> (a whole
    /// line, e.g. "### pg_cron") opens, up to the next heading of the same or a higher level.
    /// </summary>
    public static IReadOnlyList<string> SqlBlocks(string heading) =>
        SqlBlock().Matches(Section(heading)).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The statements of a block, in order, without comments or the closing semicolons.</summary>
    public static IReadOnlyList<string> Statements(string block) =>
        Comment().Replace(block, "").Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

    /// <summary>The REVOKE that undoes one <c>GRANT ... TO role</c> statement of a block.</summary>
    public static string Revoke(string grant)
    {
        var match = GrantStatement().Match(grant);
        if (!match.Success)
            throw new InvalidOperationException($"not a GRANT ... TO statement: {grant}");
        return $"REVOKE {match.Groups["what"].Value} FROM {match.Groups["to"].Value}";
    }

    /// <summary><paramref name="sql"/> with the document's names replaced by <paramref name="names"/> (whole words only).</summary>
    public static string WithNames(string sql, IReadOnlyDictionary<string, string> names) =>
        names.Aggregate(sql, (text, name) => Regex.Replace(text, $@"(?<![A-Za-z0-9_]){Regex.Escape(name.Key)}(?![A-Za-z0-9_])", name.Value.Replace("$", "$$")));

    /// <summary>The text of the section of docs/runbook.md that <paramref name="heading"/> opens, up to the next heading of the same or a higher level.</summary>
    public static string Section(string heading)
    {
        var lines = File.ReadAllText(Path.Combine(Checkout.Root, "docs", "runbook.md")).ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, heading);
        if (start < 0)
            throw new InvalidOperationException($"docs/runbook.md has no section '{heading}'");
        var level = heading.TakeWhile(c => c == '#').Count();
        var end = start + 1;
        for (var inBlock = false; end < lines.Length; end++)
        {
            if (lines[end].StartsWith("```", StringComparison.Ordinal))
                inBlock = !inBlock;
            else if (!inBlock && HeadingLine().Match(lines[end]) is { Success: true } next && next.Groups[1].Length <= level)
                break;
        }
        return string.Join('\n', lines[start..end]);
    }

    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();

    [GeneratedRegex(@"`(GRANT metrics_reader TO alice;)`")]
    private static partial Regex AnalystGrantLine();

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^GRANT\s+(?<what>.+)\s+TO\s+(?<to>\S+)$", RegexOptions.Singleline)]
    private static partial Regex GrantStatement();

    [GeneratedRegex(@"^(#+) ")]
    private static partial Regex HeadingLine();
}
