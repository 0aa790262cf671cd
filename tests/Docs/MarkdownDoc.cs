using System.Text;
using System.Text.RegularExpressions;
using Metrics.Tests.Infrastructure;
using Xunit.Sdk;

namespace Metrics.Tests.Docs;

/// <summary>
/// A page of docs/ whose marked parts a test regenerates: a marker <c>&lt;!-- kind: argument --&gt;</c> on
/// its own line names what follows. The test puts what the code or the database says in place of
/// what the page shows; on a difference the test fails naming the page and how to regenerate it, and
/// with <c>UPDATE_SNAPSHOTS=1</c> the page is rewritten instead (as <see cref="Snapshot"/> does).
/// </summary>
public sealed partial class MarkdownDoc
{
    public const string Regenerate = "UPDATE_SNAPSHOTS=1 ./build.sh test --filter \"FullyQualifiedName~Metrics.Tests.Docs\"";

    private readonly List<string> _lines;
    private readonly List<(int Start, int Count, IReadOnlyList<string> Lines, string What)> _replacements = [];

    private MarkdownDoc(string name, List<string> lines)
    {
        Name = name;
        _lines = lines;
    }

    /// <summary>docs/&lt;name&gt;, e.g. "docs/analysts.md".</summary>
    public string Name { get; }

    public IReadOnlyList<string> Lines => _lines;

    public static MarkdownDoc Read(string name) =>
        new("docs/" + name, File.ReadAllText(FullPath("docs/" + name)).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').ToList());

    /// <summary>The markers of one kind: the argument and the 0-based line of the marker.</summary>
    public IEnumerable<(string Argument, int Line)> Markers(string kind)
    {
        for (var i = 0; i < _lines.Count; i++)
        {
            var match = Marker().Match(_lines[i]);
            if (match.Success && match.Groups["kind"].Value == kind)
                yield return (match.Groups["argument"].Value.Trim(), i);
        }
    }

    /// <summary>The fenced block opening at <paramref name="line"/>: its content lines and the line after its closing fence.</summary>
    public (List<string> Content, int Next) FencedBlock(int line)
    {
        if (!_lines[line].StartsWith("```", StringComparison.Ordinal))
            throw new XunitException($"{Name}:{line + 1}: expected a fenced block (```) here");
        var end = line + 1;
        while (end < _lines.Count && _lines[end] != "```")
            end++;
        if (end == _lines.Count)
            throw new XunitException($"{Name}:{line + 1}: the fenced block is never closed");
        return (_lines.GetRange(line + 1, end - line - 1), end + 1);
    }

    /// <summary>States that lines [start, start + count) should read <paramref name="expected"/>; <paramref name="what"/> names them in a failure.</summary>
    public void Expect(int start, int count, IReadOnlyList<string> expected, string what)
    {
        if (!_lines.GetRange(start, count).Select(l => l.TrimEnd()).SequenceEqual(expected.Select(l => l.TrimEnd())))
            _replacements.Add((start, count, expected, what));
    }

    /// <summary>Fails listing every difference, or rewrites the page under UPDATE_SNAPSHOTS=1.</summary>
    public void Verify()
    {
        if (_replacements.Count == 0)
            return;
        if (Environment.GetEnvironmentVariable(Snapshot.AcceptVariable) == "1")
        {
            foreach (var (start, count, lines, _) in _replacements.OrderByDescending(r => r.Start))
            {
                _lines.RemoveRange(start, count);
                _lines.InsertRange(start, lines);
            }
            File.WriteAllText(FullPath(Name), string.Join('\n', _lines) + "\n");
            _replacements.Clear();
            return;
        }
        var message = new StringBuilder()
            .AppendLine($"{Name} differs from what the code and the database say; regenerate it with")
            .AppendLine($"  {Regenerate}")
            .AppendLine("then review the change (git diff docs/). Below, - is what the page shows, + what it should show.");
        foreach (var (start, count, lines, what) in _replacements)
            message.AppendLine().AppendLine($"{Name}:{start + 1}: {what}")
                .Append(LineDiff.Describe(string.Join('\n', _lines.GetRange(start, count)), string.Join('\n', lines)));
        throw new XunitException(message.ToString());
    }

    private static string FullPath(string name) => Path.Combine(Checkout.Root, name);

    [GeneratedRegex(@"^<!-- (?<kind>[a-z-]+):(?<argument>.*) -->$")]
    private static partial Regex Marker();
}
