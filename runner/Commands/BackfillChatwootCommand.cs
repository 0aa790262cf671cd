using System.CommandLine;
using Dapper;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Commands;

/// <summary>
/// <c>metrics backfill-chatwoot</c>: the one-time repair of old chatwoot.escalations rows
/// (missing createdAt / breachedAt, metadata.breaches out of step). All logic lives in the SQL
/// function <c>metrics.backfill_chatwoot(dry_run)</c> (db/repeatable/backfill_chatwoot.sql),
/// which runs in this command's single implicit transaction: all rows change, or none.
/// </summary>
public sealed class BackfillChatwootCommand : Command
{
    private static readonly Option<bool> DryRun = new("--dry-run")
    {
        Description = "Report how many rows and conversations would change, and change nothing.",
    };

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
            var errors = parseResult.InvocationConfiguration.Error;
            var dryRun = parseResult.GetValue(DryRun);
            var lockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(CommonOptions.LockTimeout));

            await using var connection = await target.OpenAsync(cancellationToken);
            if (await AppTables.FindMissingAsync(connection, target) is { } missingTables)
            {
                errors.WriteLine($"error: {missingTables}");
                return ExitCodes.AppTablesMissing;
            }
            if (!await connection.ExecuteScalarAsync<bool>("select to_regprocedure('metrics.backfill_chatwoot(boolean)') is not null"))
            {
                errors.WriteLine($"error: the metrics schema of {target.Description} is not migrated (no metrics.backfill_chatwoot function): run `metrics migrate` first.");
                return ExitCodes.NotMigrated;
            }

            // A real run waits for the refresh lock inside the function; a dry run takes none.
            await connection.ExecuteAsync(
                "select set_config('lock_timeout', @lockTimeout, false)",
                new { lockTimeout = TimeoutSettings.LockTimeout(lockTimeout) });
            (int RowsChanged, int ConversationsChanged) result;
            try
            {
                result = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition(
                    "select rows_changed, conversations_changed from metrics.backfill_chatwoot(@dryRun)",
                    new { dryRun }, commandTimeout: 0, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                var holder = await AdvisoryLocks.FindHolderAsync(connection, AdvisoryLocks.RefreshKey);
                errors.WriteLine(holder is not null
                    ? $"error: a refresh is running ({holder}); waited {lockTimeout.TotalSeconds:0.#} s. Nothing was changed. Let it finish, or raise --lock-timeout."
                    : $"error: the backfill waited {lockTimeout.TotalSeconds:0.#} s for a lock held by another session ({e.MessageText}); nothing was changed. " +
                      "Find the holder in pg_locks / pg_stat_activity, or raise --lock-timeout.");
                return ExitCodes.LockTimeout;
            }

            output.WriteLine(dryRun
                ? $"backfill-chatwoot (dry run): would change {result.RowsChanged} row(s), {result.ConversationsChanged} conversation(s); nothing was changed."
                : $"backfill-chatwoot: changed {result.RowsChanged} row(s), {result.ConversationsChanged} conversation(s)");
            return ExitCodes.Success;
        }));
    }
}
