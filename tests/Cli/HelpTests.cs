using System.Text.RegularExpressions;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary>Every command's <c>--help</c> ends with examples of it and the exit codes it can return.</summary>
public partial class Help
{
    [Theory]
    [InlineData("", new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 })]
    [InlineData("migrate", new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData("status", new[] { 0, 1, 2, 3, 4, 5, 6, 8, 10, 12 })]
    [InlineData("refresh", new[] { 0, 1, 2, 3, 4, 7, 9, 11 })]
    [InlineData("snapshot", new[] { 0, 1, 2, 3, 9 })]
    [InlineData("backfill-chatwoot", new[] { 0, 1, 2, 3, 4, 7, 9 })]
    public async Task Shows_examples_and_the_exit_codes_of_the_command(string command, int[] exitCodes)
    {
        var run = await CliRun.RunAsync(command.Length == 0 ? ["--help"] : [command, "--help"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var examples = Section(run.Output, "Examples:");
        Assert.NotEmpty(examples);
        Assert.All(examples, example => Assert.StartsWith("  metrics ", example));
        Assert.Contains(examples, example => example.StartsWith($"  metrics {command}".TrimEnd(), StringComparison.Ordinal));
        var listed = Section(run.Output, "Exit codes:").Select(line => ExitCodeLine().Match(line)).ToList();
        Assert.All(listed, line => Assert.True(line.Success, run.Output));
        Assert.Equal(exitCodes, listed.Select(line => int.Parse(line.Groups["code"].Value)));
        Assert.All(listed, line => Assert.Equal(ExitCodes.Meanings[int.Parse(line.Groups["code"].Value)], line.Groups["meaning"].Value));
    }

    [Fact]
    public async Task Names_the_embedded_scripts_no_materialized_views_and_the_runbooks_max_age()
    {
        var migrate = await CliRun.RunAsync(["migrate", "--help"]);
        var refresh = await CliRun.RunAsync(["refresh", "--help"]);
        var status = await CliRun.RunAsync(["status", "--help"]);

        Assert.DoesNotContain("db/migrations", migrate.Output);
        Assert.Contains("built into this tool", migrate.Output);
        Assert.DoesNotContain("materialized", refresh.Output, StringComparison.OrdinalIgnoreCase);
        // docs/runbook.md monitors with --max-age 26
        Assert.Contains("metrics status --max-age 26", await File.ReadAllTextAsync(Path.Combine(Checkout.Root, "docs", "runbook.md")));
        Assert.Contains("(26 for a 02:00 UTC job", status.Output);
        Assert.Contains("metrics status --max-age 26 ", status.Output);
        Assert.DoesNotContain("28", status.Output);
    }

    /// <summary>The lines after <paramref name="heading"/> up to the next empty line.</summary>
    private static List<string> Section(string help, string heading)
    {
        var lines = help.ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"no '{heading}' in\n{help}");
        return [.. lines.Skip(start + 1).TakeWhile(line => line.Length > 0)];
    }

    [GeneratedRegex(@"^ *(?<code>\d+)  (?<meaning>.+)$")]
    private static partial Regex ExitCodeLine();
}
