using System.CommandLine;
using System.CommandLine.Help;
using Metrics.Runner.Commands;

namespace Metrics.Runner;

/// <summary>The <c>metrics</c> command tree, and how it is invoked (parse errors exit with <see cref="ExitCodes.UsageError"/>).</summary>
public static class MetricsCli
{
    /// <summary>The root's help lists every exit code; each command's lists those it can return.</summary>
    private static readonly CommandHelp RootHelp = new(
        [
            new("metrics migrate && metrics refresh", "the nightly job, against the database DATABASE_URL names"),
            new("metrics status --max-age 26", "monitoring: exit 10 when the nightly refresh has not run"),
            new("metrics refresh --help", "a command's options, examples and exit codes"),
        ],
        [.. ExitCodes.Meanings.Keys]);

    /// <param name="clock">What the commands take as now; the system clock unless a test gives another.</param>
    public static RootCommand Build(Func<string, string?> environment, TimeProvider? clock = null)
    {
        var runner = new DatabaseCommandRunner(environment);
        var root = new RootCommand("metrics: operator metrics for PostgreSQL. Applies the metrics schema, refreshes the facts and reports status.");
        var helps = new Dictionary<Command, CommandHelp>
        {
            [root] = RootHelp,
            [new MigrateCommand(runner)] = MigrateCommand.Help,
            [new StatusCommand(runner)] = StatusCommand.Help,
            [new RefreshCommand(runner, clock ?? TimeProvider.System)] = RefreshCommand.Help,
            [new SnapshotCommand(runner)] = SnapshotCommand.Help,
            [new BackfillChatwootCommand(runner)] = BackfillChatwootCommand.Help,
        };
        foreach (var command in helps.Keys.Where(command => command != root))
            root.Add(command);
        root.Options.OfType<VersionOption>().Single().Action = new BuildVersion();
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, helps);
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration configuration, Func<string, string?> environment, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        var parseResult = Build(environment, clock).Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parseResult.Errors)
                configuration.Error.WriteLine($"error: {error.Message}");
            configuration.Error.WriteLine("Run 'metrics --help' for usage.");
            return ExitCodes.UsageError;
        }
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }
}
