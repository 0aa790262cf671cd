using System.Diagnostics;

namespace Metrics.Tests.Infrastructure;

/// <summary>What one run of an external program (git, dotnet, an installed tool) returned and printed.</summary>
public sealed record ProcessRun(string CommandLine, int ExitCode, string Output, string Error)
{
    /// <summary>
    /// Runs <paramref name="program"/> to its end, or kills it after <paramref name="timeout"/>.
    /// MSBuild's variables of the test host are not passed on: a nested <c>dotnet build</c> would
    /// otherwise talk to the host's build.
    /// </summary>
    public static async Task<ProcessRun> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Checkout.Root,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }
        return new ProcessRun($"{program} {string.Join(' ', start.ArgumentList)}", process.ExitCode, await output, await error);
    }

    public override string ToString() => $"{CommandLine}\nexit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
