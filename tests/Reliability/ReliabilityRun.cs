using System.Globalization;

namespace Metrics.Tests.Reliability;

/// <summary>
/// How big the reliability tests run, and where their figures go. <c>./build.sh test</c> runs
/// them small (the defaults, seconds each); <c>./build.sh reliability</c> sets the variables
/// below to run them big and collects the figure lines from <see cref="FiguresVariable"/>.
/// </summary>
public static class ReliabilityRun
{
    public const string Trait = "Category";
    public const string Category = "Reliability";
    public const string FiguresVariable = "METRICS_RELIABILITY_FIGURES";

    /// <summary>Seeds of the bad-data test (1..n).</summary>
    public static int Seeds => Read("METRICS_RELIABILITY_SEEDS", 2);

    /// <summary>App rows each bad-data seed writes (valid and malformed together).</summary>
    public static int RowsPerSeed => Read("METRICS_RELIABILITY_ROWS", 300);

    /// <summary>Size in bytes of the one big escalation array of each seed.</summary>
    public static int BigArrayBytes => Read("METRICS_RELIABILITY_ARRAY_BYTES", 20_000);

    /// <summary>Trials of each fault: SIGKILLs per command, late commits.</summary>
    public static int FaultTrials => Read("METRICS_RELIABILITY_TRIALS", 1);

    /// <summary>
    /// Appends one line of figures, <c>kind key=value ...</c>, to the file <see cref="FiguresVariable"/>
    /// names (build.sh reliability sums them); without it the figures are not kept.
    /// </summary>
    public static void Figure(string kind, params (string Key, object Value)[] values)
    {
        if (Environment.GetEnvironmentVariable(FiguresVariable) is not { Length: > 0 } file)
            return;
        var line = kind + string.Concat(values.Select(v => string.Create(CultureInfo.InvariantCulture, $" {v.Key}={v.Value}")));
        lock (FiguresVariable)
            File.AppendAllText(file, line + Environment.NewLine);
    }

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
