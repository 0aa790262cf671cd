using System.CommandLine;
using Metrics.Runner.Migrations;

namespace Metrics.Runner.Commands;

/// <summary>Where <c>migrate</c> and <c>status</c> take their scripts from.</summary>
public static class ScriptOptions
{
    public static readonly Option<DirectoryInfo?> Scripts = new("--scripts")
    {
        Description = "Read scripts from DIR/migrations and DIR/repeatable (e.g. a checkout's db/) instead of the ones built into this tool.",
        HelpName = "dir",
    };

    public static ScriptSource Resolve(ParseResult parseResult) =>
        parseResult.GetValue(Scripts) is { } directory ? ScriptSource.FromDirectory(directory.FullName) : ScriptSource.Embedded();
}
