using Xunit;

namespace Metrics.Tests.Docs;

/// <summary>
/// Every shell block marked <c>&lt;!-- run: &lt;state&gt; --&gt;</c> in the operators' pages is run, and
/// shows what the tool prints. The block is a terminal session: each <c>$ </c> line is a command
/// (run by bash, <c>metrics</c> being the built runner), and the lines up to the next <c>$ </c> line
/// are what it prints. The commands of one block run in order on one fresh database holding the
/// demo data in the named state (<see cref="DemoRuns"/>: unmigrated, migrated, refreshed, ...).
/// <para>
/// What is compared: a command's stdout. When it exits non-zero, the block shows after its stdout
/// the runner's <c>error:</c> and <c>warning:</c> lines of stderr (the messages an operator acts on)
/// and then <c>(exit code N)</c>; other stderr lines (progress reports) are never shown, and a
/// command that exits 0 shows stdout only. Lines left out are an explicit <c>...</c> line (the lines
/// before and after it are kept). The docs show the database as
/// <c>metrics_owner@localhost:5432/shop</c> (password <c>change-me</c>) and the dates of a run on
/// <see cref="DemoRuns.DocToday"/>: the test's login, server and database are put in their place and
/// the tool's dates moved by the days between the two (a date in a command is moved back before it
/// runs). Times of day, durations, ages in hours and the server version differ between runs and are
/// not compared (<see cref="DemoRuns.Normalize"/>); <c>UPDATE_SNAPSHOTS=1</c> writes what the tool
/// printed, with its own values of those.
/// </para>
/// </summary>
public class Executed_commands
{
    private const string Elided = "...";

    [Theory]
    [InlineData("runbook.md")]
    public async Task Show_what_the_tool_prints_on_the_demo_data(string page)
    {
        var doc = MarkdownDoc.Read(page);
        var examples = doc.Markers("run").ToList();
        Assert.NotEmpty(examples);

        foreach (var (state, marker) in examples)
        {
            if (!doc.Lines[marker + 1].StartsWith("```", StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"{doc.Name}:{marker + 2}: a run marker must be followed by a fenced block of $ commands");
            var (block, _) = doc.FencedBlock(marker + 1);
            var first = marker + 2;
            if (block.Count == 0 || !block[0].StartsWith("$ ", StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"{doc.Name}:{first + 1}: the block of a run marker starts with a command ($ metrics ...)");

            await using var run = await DemoRuns.StartAsync(state);
            for (var i = 0; i < block.Count;)
            {
                var command = block[i][2..];
                var end = i + 1;
                while (end < block.Count && !block[end].StartsWith("$ ", StringComparison.Ordinal))
                    end++;
                var shown = block.GetRange(i + 1, end - i - 1);
                var printed = await run.ExecuteAsync(command);
                doc.Expect(first + i + 1, shown.Count, Matches(shown, printed) ? shown : Elide(shown, printed),
                    $"`{command}` (state \"{state}\") prints something else");
                i = end;
            }
        }
        doc.Verify();
    }

    /// <summary>Whether <paramref name="shown"/>, with its <c>...</c> lines standing for any lines, is <paramref name="printed"/>, compared normalised.</summary>
    private static bool Matches(List<string> shown, List<string> printed)
    {
        var segments = Segments(shown);
        var lines = printed.Select(DemoRuns.Normalize).ToList();
        if (segments.Count == 1)
            return segments[0].SequenceEqual(lines);
        var (head, tail) = (segments[0], segments[^1]);
        if (head.Count + tail.Count > lines.Count || !lines.Take(head.Count).SequenceEqual(head) || !lines.TakeLast(tail.Count).SequenceEqual(tail))
            return false;
        var at = head.Count;
        var stop = lines.Count - tail.Count;
        foreach (var middle in segments.Skip(1).SkipLast(1))
        {
            while (at + middle.Count <= stop && !lines.Skip(at).Take(middle.Count).SequenceEqual(middle))
                at++;
            if (at + middle.Count > stop)
                return false;
            at += middle.Count;
        }
        return true;
    }

    /// <summary>What the page should show instead: the printed lines, with as many kept before and after one <c>...</c> as the page kept.</summary>
    private static List<string> Elide(List<string> shown, List<string> printed)
    {
        var segments = Segments(shown);
        if (segments.Count == 1)
            return printed;
        var (head, tail) = (segments[0].Count, segments[^1].Count);
        return head + tail >= printed.Count ? printed : [.. printed.Take(head), Elided, .. printed.TakeLast(tail)];
    }

    private static List<List<string>> Segments(List<string> shown)
    {
        var segments = new List<List<string>> { new() };
        foreach (var line in shown)
            if (line.Trim() == Elided)
                segments.Add([]);
            else
                segments[^1].Add(DemoRuns.Normalize(line.TrimEnd()));
        return segments;
    }
}
