using System.CommandLine;
using Metrics.Runner;
using Microsoft.Extensions.Time.Testing;

namespace Metrics.Tests.Infrastructure;

/// <summary>What one in-process run of the <c>metrics</c> command tree returned and printed.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>What the command tree takes as now unless a test gives a clock: a fixed instant after every date the tests' data sets use.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2025, 10, 20, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Runs the real command tree in-process, with an environment of its own (no DATABASE_URL
    /// unless given) and a fake clock (<see cref="DefaultNow"/> unless given), never the wall clock.
    /// </summary>
    public static async Task<CliRun> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, TimeProvider? clock = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await MetricsCli.InvokeAsync(args, configuration, name => environment?.GetValueOrDefault(name), clock ?? new FakeTimeProvider(DefaultNow));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
