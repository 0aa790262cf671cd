using System.Diagnostics;

namespace Metrics.Bench;

/// <summary>
/// Runs the built <c>metrics</c> runner as a child process, as users run it, under
/// /usr/bin/time for its peak resident memory. A failed command stops the benchmark.
/// </summary>
internal sealed class MetricsRunner(string runnerDll)
{
    public async Task<RunnerRun> RunAsync(string connectionString, params string[] arguments)
    {
        var memoryFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("/usr/bin/time")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])["-f", "%M", "-o", memoryFile, "dotnet", runnerDll, .. arguments])
                start.ArgumentList.Add(argument);
            start.Environment["DATABASE_URL"] = connectionString;
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the runner");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var elapsed = clock.Elapsed;
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"metrics {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}{await error}");
            var peakKilobytes = long.Parse((await File.ReadAllTextAsync(memoryFile)).Trim().Split('\n')[^1]);
            return new RunnerRun(elapsed, peakKilobytes * 1024);
        }
        finally
        {
            File.Delete(memoryFile);
        }
    }
}

/// <summary>The wall time of one runner command (process start to exit) and its peak resident memory.</summary>
internal sealed record RunnerRun(TimeSpan Elapsed, long PeakBytes);
