using System.Globalization;
using DbUp.Engine.Output;

namespace Metrics.Runner.Migrations;

/// <summary>
/// Where DbUp's own log goes. migrate prints its own progress lines and one-line errors, so
/// DbUp's notes (upgrade started, script executing, the full exception of a failure) would only
/// repeat them: they are written, prefixed <c>dbup:</c>, to <paramref name="verbose"/> (stderr with
/// <c>--verbose</c>) or dropped. DbUp's warnings always reach the output.
/// </summary>
public sealed class UpgradeLog(TextWriter output, TextWriter? verbose) : IUpgradeLog
{
    public void LogTrace(string format, params object[] args) => Verbose(format, args);

    public void LogDebug(string format, params object[] args) => Verbose(format, args);

    public void LogInformation(string format, params object[] args) => Verbose(format, args);

    public void LogWarning(string format, params object[] args) => output.WriteLine($"warning: {Format(format, args)}");

    public void LogError(string format, params object[] args) => Verbose(format, args);

    public void LogError(Exception ex, string format, params object[] args) => Verbose(format, args);

    private void Verbose(string format, object[] args) => verbose?.WriteLine($"dbup: {Format(format, args)}");

    /// <summary>DbUp also logs an exception's text as the format itself, braces and all.</summary>
    private static string Format(string format, object[] args) =>
        args.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, args);
}
