using System.CommandLine;
using Metrics.Runner.Migrations;

namespace Metrics.Runner.Commands;

/// <summary>Where <c>migrate</c> and <c>status</c> take their scripts from.</summary>
public static class ScriptOptions
{
    public static readonly Option<DirectoryInfo?> Scripts = new("--scripts")
    {
        Description = "Read scripts from DIR/migrations, DIR/functions, DIR/views, DIR/procedures, DIR/triggers and DIR/grants (e.g. a checkout's db/) instead of the ones built into this tool.",
        HelpName = "dir",
    };

    public static readonly Option<string> ReaderRole = new("--reader-role")
    {
        Description = "Name of the read-only role analysts' logins are granted (${reader_role} in scripts).",
        HelpName = "role",
        DefaultValueFactory = _ => ScriptVariables.DefaultReaderRole,
        Validators =
        {
            result =>
            {
                if (!System.Text.RegularExpressions.Regex.IsMatch(result.GetValueOrDefault<string>() ?? "", @"^[a-z_][a-z0-9_]{0,62}\z"))
                    result.AddError("--reader-role must be a plain lower-case role name: letters, digits and underscores, at most 63, not starting with a digit.");
            },
        },
    };

    public static ScriptSource Resolve(ParseResult parseResult) =>
        parseResult.GetValue(Scripts) is { } directory ? ScriptSource.FromDirectory(directory.FullName) : ScriptSource.Embedded();
}
