using System.CommandLine;
using Metrics.Runner;

namespace Metrics.Tests.Infrastructure;

/// <summary>What one in-process run of the <c>metrics</c> command tree returned and printed.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs the real command tree in-process, with an environment of its own (no DATABASE_URL unless given).</summary>
    public static async Task<CliRun> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await MetricsCli.InvokeAsync(args, configuration, name => environment?.GetValueOrDefault(name));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
