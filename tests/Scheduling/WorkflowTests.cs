using System.CommandLine;
using System.Text.RegularExpressions;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Metrics.Tests.Scheduling;

/// <summary>The GitHub workflows parse as YAML and call only commands and options the runner has.</summary>
public partial class Workflows
{
    private static YamlMappingNode Load(string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(TestFiles.Path("workflows", file));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    private static List<string> RunScripts(YamlMappingNode workflow) =>
        ((YamlMappingNode)At(workflow, "jobs")).Children.Values
            .SelectMany(job => ((YamlSequenceNode)At(job, "steps")).Children.Cast<YamlMappingNode>())
            .Where(step => step.Children.ContainsKey(new YamlScalarNode("run")))
            .Select(step => ((YamlScalarNode)At(step, "run")).Value!)
            .ToList();

    [Fact]
    public void The_nightly_workflow_runs_at_two_utc_and_on_demand_with_an_optional_as_of()
    {
        var workflow = Load("nightly-metrics.yml");

        var schedule = (YamlSequenceNode)At(workflow, "on", "schedule");
        Assert.Equal("0 2 * * *", ((YamlScalarNode)At(schedule.Children.Single(), "cron")).Value);
        Assert.Equal("false", ((YamlScalarNode)At(workflow, "on", "workflow_dispatch", "inputs", "as_of", "required")).Value);
    }

    [Fact]
    public void The_nightly_workflow_checks_the_secret_before_anything_else()
    {
        var scripts = RunScripts(Load("nightly-metrics.yml"));

        Assert.Contains("if [ -z \"$DATABASE_URL\" ]", scripts[0]);
        Assert.Contains("exit 1", scripts[0]);
    }

    [Fact]
    public void The_nightly_workflow_calls_existing_commands_and_options_only()
    {
        var root = MetricsCli.Build(_ => null);
        var calls = new List<List<string>>();
        foreach (Match match in RunScripts(Load("nightly-metrics.yml")).SelectMany(script => MetricsCall().Matches(script)))
        {
            var words = match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (words[0].StartsWith("--", StringComparison.Ordinal))
                calls[^1].AddRange(words); // args+=(--as-of ...): more options of the call before
            else
                calls.Add(words);
        }

        Assert.Equal(["migrate", "refresh --json --as-of"], calls.Select(words => string.Join(' ', words)));
        foreach (var words in calls)
        {
            var command = root.Subcommands.Single(c => c.Name == words[0]);
            foreach (var option in words.Where(w => w.StartsWith("--", StringComparison.Ordinal)))
                Assert.Contains(option, command.Options.Select(o => o.Name));
        }
    }

    [Fact]
    public void Ci_runs_the_readme_test_command_on_a_testcontainers_server_with_the_full_history()
    {
        var workflow = Load("ci.yml");
        var job = (YamlMappingNode)At(workflow, "jobs", "test");
        var checkout = ((YamlSequenceNode)At(job, "steps")).Children.Cast<YamlMappingNode>()
            .Single(step => step.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("actions/checkout@", StringComparison.Ordinal));

        Assert.Contains("./build.sh test", RunScripts(workflow));
        // no service container and no METRICS_TEST_DATABASE_URL: the fixture starts postgres:15 itself
        Assert.False(job.Children.ContainsKey(new YamlScalarNode("services")));
        Assert.DoesNotContain(ServerChoice.UrlVariable, File.ReadAllText(TestFiles.Path("workflows", "ci.yml")));
        // the upgrade test builds the first release's runner from history
        Assert.Equal("0", ((YamlScalarNode)At(checkout, "with", "fetch-depth")).Value);
    }

    /// <summary><c>$METRICS migrate</c> or <c>args=(refresh --json)</c> plus the options added later with <c>args+=(...)</c>.</summary>
    [GeneratedRegex(@"(?:\$METRICS (?!""\$)|args\+?=\()((?:[a-z][a-z-]*|--[a-z-]+)(?: --[a-z-]+)*)")]
    private static partial Regex MetricsCall();
}
