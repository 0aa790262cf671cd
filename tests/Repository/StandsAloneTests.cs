using System.Text.RegularExpressions;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Repository;

/// <summary>A clone of this repository is all a reader, a build or a test needs.</summary>
public partial class The_repository
{
    [Fact]
    public async Task Names_no_relative_path_outside_itself_or_missing_from_it()
    {
        var files = await ProcessRun.RunAsync("git", ["ls-files", "-z"], TimeSpan.FromMinutes(1));
        Assert.True(files.ExitCode == 0, files.ToString());
        var root = Checkout.Root;

        var dangling = new List<string>();
        foreach (var file in files.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(root, file);
            if (!File.Exists(path))
                continue; // deleted in the work tree, not yet committed
            var text = await File.ReadAllTextAsync(path);
            if (text.Contains('\0'))
                continue; // binary
            foreach (Match match in ParentRelativePath().Matches(text))
            {
                if (!IsInsideAndPresent(root, Path.GetDirectoryName(path)!, match.Value))
                    dangling.Add($"{file}: {match.Value}");
            }
        }

        Assert.Empty(dangling);
    }

    [Fact]
    public void Catches_a_path_that_leaves_the_checkout_or_names_nothing_in_it()
    {
        var root = Checkout.Root;
        var docs = Path.Combine(root, "docs");

        Assert.False(IsInsideAndPresent(root, root, string.Concat("..", "/shared/SPEC.md")));
        Assert.False(IsInsideAndPresent(root, docs, string.Concat("..", "/shared/SPEC.md")));
        Assert.True(IsInsideAndPresent(root, docs, string.Concat("..", "/README.md")));
        Assert.True(IsInsideAndPresent(root, Path.Combine(root, "runner"), string.Concat("..", "/db/migrations/*.sql")));
    }

    /// <summary>True when the path, read from <paramref name="folder"/>, stays in the checkout and names something there (up to a wildcard).</summary>
    private static bool IsInsideAndPresent(string root, string folder, string relativePath)
    {
        var concrete = relativePath.Split('*')[0];
        var full = Path.GetFullPath(Path.Combine(folder, concrete));
        if (full != root && !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return false;
        return File.Exists(full) || Directory.Exists(full) || (concrete != relativePath && Directory.Exists(Path.GetDirectoryName(full)));
    }

    /// <summary>A path starting with one or more parent steps, up to a quote, space, bracket or backtick.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:\.\./)+[^\s""'`)\]>;,]*")]
    private static partial Regex ParentRelativePath();
}
