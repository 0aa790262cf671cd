using System.CommandLine;
using Metrics.Runner.Migrations;

namespace Metrics.Runner.Commands;

/// <summary><c>metrics migrate</c>: applies pending scripts, or prints them with --dry-run.</summary>
public sealed class MigrateCommand : Command
{
    private static readonly Option<bool> DryRun = new("--dry-run")
    {
        Description = "Print the pending SQL exactly as it would run, and change nothing.",
    };

    public static readonly CommandHelp Help = new(
        [
            new("metrics migrate --dry-run > pending.sql", "review the SQL that would run; changes nothing"),
            new("metrics migrate", "apply it to the database DATABASE_URL names"),
            new("metrics migrate --connection 'postgresql://metrics_owner@db:5432/shop?schema=public'", "a database given on the command line"),
        ],
        [ExitCodes.Success, ExitCodes.UnexpectedError, ExitCodes.UsageError, ExitCodes.ConnectionFailed, ExitCodes.AppTablesMissing,
         ExitCodes.ScriptFailed, ExitCodes.DriftDetected, ExitCodes.LockTimeout]);

    private readonly DatabaseCommandRunner _runner;

    public MigrateCommand(DatabaseCommandRunner runner)
        : base("migrate", "Apply the pending versioned scripts built into this tool, in order, each in its own transaction, then the whole repeatable group (functions, views, procedures, triggers, grants) in one transaction.")
    {
        _runner = runner;
        this.AddDatabaseOptions();
        Add(CommonOptions.LockTimeout);
        Add(DryRun);
        Add(ScriptOptions.Scripts);
        Add(ScriptOptions.ReaderRole);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            var errors = parseResult.InvocationConfiguration.Error;
            var options = new MigrateOptions(parseResult.GetValue(DryRun), TimeSpan.FromSeconds(parseResult.GetValue(CommonOptions.LockTimeout)));
            var verboseLog = parseResult.GetValue(CommonOptions.Verbose) ? errors : null;
            var migrator = new Migrator(target, ScriptOptions.Resolve(parseResult), output, parseResult.GetValue(ScriptOptions.ReaderRole)!, verboseLog);
            if (!options.DryRun)
                output.WriteLine($"migrating {target.Description} (app schema \"{target.AppSchema}\")");
            var result = await migrator.MigrateAsync(options, cancellationToken);
            return Render(result, options, output, errors);
        }));
    }

    private static int Render(MigrationResult result, MigrateOptions options, TextWriter output, TextWriter errors)
    {
        switch (result.Outcome)
        {
            case MigrationOutcome.Succeeded when options.DryRun:
                output.WriteLine(result.Scripts.Count == 0
                    ? "-- dry run: nothing pending; the database is up to date."
                    : $"-- dry run: {result.Scripts.Count} script(s) would run; nothing was changed.");
                return ExitCodes.Success;
            case MigrationOutcome.Succeeded:
                output.WriteLine(result.Scripts.Count == 0
                    ? "nothing pending: the database is up to date."
                    : $"applied {result.Scripts.Count} script(s) in {result.Duration.TotalMilliseconds:0} ms.");
                return ExitCodes.Success;
            case MigrationOutcome.AppTablesMissing:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.AppTablesMissing;
            case MigrationOutcome.Drift:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.DriftDetected;
            case MigrationOutcome.LockTimeout:
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.LockTimeout;
            default:
                if (result.Scripts.Count > 0)
                    output.WriteLine($"applied {result.Scripts.Count} script(s) before the failure.");
                errors.WriteLine($"error: {result.Error}");
                return ExitCodes.ScriptFailed;
        }
    }
}
