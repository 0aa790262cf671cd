using System.CommandLine;
using Metrics.Runner.Commands;

namespace Metrics.Runner;

/// <summary>The <c>metrics</c> command tree, and how it is invoked (parse errors exit with <see cref="ExitCodes.UsageError"/>).</summary>
public static class MetricsCli
{
    /// <param name="clock">What the commands take as now; the system clock unless a test gives another.</param>
    public static RootCommand Build(Func<string, string?> environment, TimeProvider? clock = null)
    {
        var runner = new DatabaseCommandRunner(environment);
        var root = new RootCommand("metrics: operator metrics for PostgreSQL. Applies the metrics schema, refreshes the facts and reports status.\n\n" + ExitCodes.HelpText)
        {
            new MigrateCommand(runner),
            new StatusCommand(runner),
            new RefreshCommand(runner, clock ?? TimeProvider.System),
            new SnapshotCommand(runner),
            new BackfillChatwootCommand(runner),
        };
        root.Options.OfType<VersionOption>().Single().Action = new BuildVersion();
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
