using System.Diagnostics;

namespace Metrics.Tests.Infrastructure;

/// <summary>The built <c>metrics</c> tool started as a process of its own, for tests that kill it or run it next to others.</summary>
public static class MetricsProcess
{
    /// <summary>Starts <c>dotnet metrics.dll</c> with <paramref name="arguments"/>; its output is redirected and not read.</summary>
    public static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { TestFiles.Path("metrics.dll") }.Concat(arguments))
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }
}
