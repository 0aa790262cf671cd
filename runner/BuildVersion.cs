using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Metrics.Runner;

/// <summary>
/// <c>metrics --version</c>: the package version and the commit the binary was built from, which
/// the SDK appends to the informational version (<c>1.1.0+&lt;sha&gt;</c>) when it builds a git checkout.
/// </summary>
public sealed class BuildVersion : SynchronousCommandLineAction
{
    public static string Describe()
    {
        var informational = typeof(BuildVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+');
        return plus < 0
            ? $"metrics {informational} (commit unknown: not built from a git checkout)"
            : $"metrics {informational[..plus]} (commit {informational[(plus + 1)..]})";
    }

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Describe());
        return ExitCodes.Success;
    }
}
