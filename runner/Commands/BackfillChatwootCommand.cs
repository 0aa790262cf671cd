using System.CommandLine;
using Metrics.Runner.Backfill;

namespace Metrics.Runner.Commands;

/// <summary>
/// <c>metrics backfill-chatwoot</c>: the one-time repair of old chatwoot.escalations rows
/// (missing createdAt / breachedAt, metadata.breaches out of step), run by
/// <see cref="ChatwootBackfiller"/>; the command prints its result and maps it to an exit code.
/// </summary>
public sealed class BackfillChatwootCommand : Command
{
    private static readonly Option<bool> DryRun = new("--dry-run")
    {
        Description = "Report how many rows and conversations would change, and change nothing.",
    };

    public static readonly CommandHelp Help = new(
        [
            new("metrics backfill-chatwoot --dry-run", "count the rows and conversations it would change; changes nothing"),
            new("metrics backfill-chatwoot", "repair them, in one transaction"),
            new("metrics refresh --backfill-from 2025-09-01", "then recompute the days the repaired rows fall in"),
        ],
        [ExitCodes.Success, ExitCodes.UnexpectedError, ExitCodes.UsageError, ExitCodes.ConnectionFailed, ExitCodes.AppTablesMissing,
         ExitCodes.LockTimeout, ExitCodes.NotMigrated]);

    private readonly DatabaseCommandRunner _runner;

    public BackfillChatwootCommand(DatabaseCommandRunner runner)
        : base("backfill-chatwoot", "Fill the missing createdAt / breachedAt of chatwoot.escalations conversations and bring metadata.breaches in step, in one transaction. Idempotent.")
    {
        _runner = runner;
        this.AddDatabaseOptions();
        Add(DryRun);
        Add(CommonOptions.LockTimeout);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            var result = await new ChatwootBackfiller(target).BackfillAsync(
                parseResult.GetValue(DryRun), TimeSpan.FromSeconds(parseResult.GetValue(CommonOptions.LockTimeout)), cancellationToken);
            if (result.Outcome != ChatwootBackfillOutcome.Succeeded)
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {result.Error}");
            else
                output.WriteLine(result.DryRun
                    ? $"backfill-chatwoot (dry run): would change {result.RowsChanged} row(s), {result.ConversationsChanged} conversation(s); nothing was changed."
                    : $"backfill-chatwoot: changed {result.RowsChanged} row(s), {result.ConversationsChanged} conversation(s)");
            return result.Outcome switch
            {
                ChatwootBackfillOutcome.Succeeded => ExitCodes.Success,
                ChatwootBackfillOutcome.NotMigrated => ExitCodes.NotMigrated,
                ChatwootBackfillOutcome.AppTablesMissing => ExitCodes.AppTablesMissing,
                ChatwootBackfillOutcome.LockTimeout => ExitCodes.LockTimeout,
                _ => ExitCodes.UnexpectedError,
            };
        }));
    }
}
