using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Metrics.Runner;

/// <summary>An example invocation in a command's help: the command line and what it is for.</summary>
public sealed record HelpExample(string CommandLine, string Purpose);

/// <summary>What a command's <c>--help</c> shows after its options: examples, and the exit codes the command can return.</summary>
public sealed record CommandHelp(IReadOnlyList<HelpExample> Examples, IReadOnlyList<int> ExitCodes)
{
    public void Write(TextWriter output)
    {
        output.WriteLine("Examples:");
        var width = Examples.Max(example => example.CommandLine.Length);
        foreach (var example in Examples)
            output.WriteLine($"  {example.CommandLine.PadRight(width)}  # {example.Purpose}");
        output.WriteLine();
        output.WriteLine(Runner.ExitCodes.Describe(ExitCodes));
    }
}

/// <summary>
/// The help action of every command: System.CommandLine's own help, then the command's
/// <see cref="CommandHelp"/>.
/// </summary>
public sealed class HelpWithExamples(HelpAction standard, IReadOnlyDictionary<Command, CommandHelp> helps) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = standard.Invoke(parseResult);
        if (helps.TryGetValue(parseResult.CommandResult.Command, out var help))
            help.Write(parseResult.InvocationConfiguration.Output);
        return exitCode;
    }
}
