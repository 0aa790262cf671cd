using System.Text.RegularExpressions;
using Metrics.Runner.Migrations;
using Metrics.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace Metrics.Tests.Docs;

/// <summary>
/// Every error, warning and note a page quotes (`error: ...` in backticks, or a line of an output
/// block), and every line of the runner's usual output an output block shows (refreshed as of ...),
/// is what the runner prints: its text is made of the runner's own messages (string literals
/// of runner/ and the RAISE WARNINGs of the repeatable scripts (db/functions, views, procedures,
/// triggers, grants), an interpolated value matching anything)
/// and of what the command tree prints for a misspelt option, provoked here. A placeholder such as
/// <c>&lt;reason&gt;</c> or <c>...</c> stands where the runner puts a value.
/// </summary>
public partial class Quoted_messages
{
    [Theory]
    [InlineData("runbook.md")]
    [InlineData("analysts.md")]
    public async Task Are_what_the_runner_prints(string page)
    {
        var templates = await RunnerMessagesAsync();
        var doc = MarkdownDoc.Read(page);
        var quoted = QuotedMessages(doc).ToList();
        Assert.NotEmpty(quoted);

        var wrong = new List<string>();
        foreach (var (line, message) in quoted)
        {
            var uncovered = Uncovered(message, templates);
            if (uncovered is not null)
                wrong.Add($"{doc.Name}:{line + 1}: `{message}`\n    no message of the runner prints \"{uncovered}\"; closest in the code: {Closest(message, templates)}");
        }
        if (wrong.Count > 0)
            throw new XunitException(
                $"{doc.Name} quotes messages the runner does not print. Update each quote in {doc.Name} to what the runner prints now " +
                "(run the command, or copy the message from the code named below; a value the runner fills in may stay a placeholder such as <reason> or ...), " +
                "then rerun ./build.sh test --filter \"FullyQualifiedName~Metrics.Tests.Docs\".\n\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void A_changed_message_is_not_covered()
    {
        MessageTemplate[] templates =
        [
            .. MessageTemplate.FromCSharp("a.cs", """var x = 1; error = $"--retries must be from 0 to {max}." + " Give a number."; // it's"""),
            .. MessageTemplate.FromCSharp("b.cs", """w.WriteLine($"error: {message}");"""),
        ];

        Assert.Null(Uncovered("error: --retries must be from 0 to 10. Give a number.", templates));
        Assert.Null(Uncovered("error: --retries must be from 0 to <max>. Give a number.", templates));
        Assert.Equal("--retries must be 0 or more.", Uncovered("error: --retries must be 0 or more.", templates));
        Assert.Equal("--retries must be from 0 to 10. Give two numbers.", Uncovered("error: --retries must be from 0 to 10. Give two numbers.", templates));
    }

    /// <summary>Null when the runner's messages make up all of <paramref name="message"/> (past its prefix); else the first part they do not.</summary>
    private static string? Uncovered(string message, IReadOnlyCollection<MessageTemplate> templates)
    {
        var covered = new bool[message.Length];
        var prefix = Prefix().Match(message).Length;
        for (var i = 0; i < prefix; i++)
            covered[i] = true;
        foreach (var template in templates)
            foreach (Match match in template.Pattern.Matches(message))
                for (var i = match.Index; i < match.Index + match.Length; i++)
                    covered[i] = true;
        foreach (Match elision in Elision().Matches(message))
            for (var i = elision.Index; i < elision.Index + elision.Length; i++)
                covered[i] = true;

        var start = Array.FindIndex(covered, c => !c);
        if (start < 0)
            return null;
        var end = Array.FindIndex(covered, start, c => c);
        var gap = message[start..(end < 0 ? message.Length : end)];
        return string.IsNullOrWhiteSpace(gap) ? null : gap;
    }

    private static string Closest(string message, IEnumerable<MessageTemplate> templates) =>
        templates.MinBy(t => Distance(message[Prefix().Match(message).Length..], string.Concat(t.Parts.Select(p => p ?? ""))))!.ToString();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>`error: ...` in backticks, and lines of output blocks starting so.</summary>
    private static IEnumerable<(int Line, string Message)> QuotedMessages(MarkdownDoc doc)
    {
        var inBlock = false;
        for (var i = 0; i < doc.Lines.Count; i++)
        {
            var line = doc.Lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
                inBlock = !inBlock;
            else if (inBlock && (Prefix().IsMatch(line) || RunnerLine().IsMatch(line)))
                yield return (i, line.TrimEnd());
            else if (!inBlock)
                foreach (Match match in InlineQuote().Matches(line))
                    yield return (i, match.Groups["message"].Value);
        }
    }

    private static async Task<List<MessageTemplate>> RunnerMessagesAsync()
    {
        var templates = new List<MessageTemplate>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Checkout.Root, "runner"), "*.cs", SearchOption.AllDirectories))
            if (!file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                templates.AddRange(MessageTemplate.FromCSharp(Path.GetRelativePath(Checkout.Root, file), await File.ReadAllTextAsync(file)));
        foreach (var folder in ScriptSource.Folders.Where(folder => folder != ScriptSource.VersionedFolder))
            if (Directory.Exists(Path.Combine(Checkout.Root, "db", folder)))
                foreach (var file in Directory.EnumerateFiles(Path.Combine(Checkout.Root, "db", folder), "*.sql"))
                    templates.AddRange(MessageTemplate.FromSql(Path.GetRelativePath(Checkout.Root, file), await File.ReadAllTextAsync(file)));
        // System.CommandLine's own message for a misspelt option
        var misspelt = await CliRun.RunAsync(["--bogus"]);
        templates.AddRange(misspelt.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => new MessageTemplate("metrics --bogus", [line.TrimEnd()])));
        return templates;
    }

    [GeneratedRegex("^(error|warning|note): ")]
    private static partial Regex Prefix();

    /// <summary>Lines of the runner's normal output that pages show in output blocks.</summary>
    [GeneratedRegex(@"^(refreshed as of |backfill-chatwoot[ :]|migrating |applied \d+ script|-- dry run: )")]
    private static partial Regex RunnerLine();

    /// <summary>`error: ...`, or ``error: ... `metrics migrate` ...`` when the message holds a backtick.</summary>
    [GeneratedRegex(@"``\s?(?<message>(?:error|warning|note): .+?)\s?``|(?<!`)`(?<message>(?:error|warning|note): [^`]+)`(?!`)")]
    private static partial Regex InlineQuote();

    /// <summary>Placeholders a quote may use where the runner puts a value: ..., (...), &lt;reason&gt;.</summary>
    [GeneratedRegex(@"\.\.\.|<[a-z_ @:/.]+>")]
    private static partial Regex Elision();
}
