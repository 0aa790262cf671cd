using Dapper;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Backfill;

/// <summary>
/// Runs the one-time repair of old chatwoot.escalations rows. All logic lives in the SQL
/// function <c>metrics.backfill_chatwoot(dry_run)</c> (db/functions/backfill_chatwoot.sql),
/// which runs in one implicit transaction: all rows change, or none. Returns a
/// <see cref="ChatwootBackfillResult"/> for the expected failures: schema not migrated, app
/// tables missing, the refresh lock not obtained in time.
/// </summary>
public sealed class ChatwootBackfiller(DatabaseTarget target)
{
    public async Task<ChatwootBackfillResult> BackfillAsync(bool dryRun, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync(cancellationToken);
        if (await AppTables.FindMissingAsync(connection, target) is { } missingTables)
            return new ChatwootBackfillResult(ChatwootBackfillOutcome.AppTablesMissing, dryRun) { Error = missingTables };
        if (!await connection.ExecuteScalarAsync<bool>("select to_regprocedure('metrics.backfill_chatwoot(boolean)') is not null"))
            return new ChatwootBackfillResult(ChatwootBackfillOutcome.NotMigrated, dryRun)
            {
                Error = $"the metrics schema of {target.Description} is not migrated (no metrics.backfill_chatwoot function): run `metrics migrate` first.",
            };

        // A real run waits for the refresh lock inside the function; a dry run takes none.
        await connection.ExecuteAsync(
            "select set_config('lock_timeout', @lockTimeout, false)",
            new { lockTimeout = TimeoutSettings.LockTimeout(lockTimeout) });
        try
        {
            var (rows, conversations) = await connection.QuerySingleAsync<(int, int)>(new CommandDefinition(
                "select rows_changed, conversations_changed from metrics.backfill_chatwoot(@dryRun)",
                new { dryRun }, commandTimeout: 0, cancellationToken: cancellationToken));
            return new ChatwootBackfillResult(ChatwootBackfillOutcome.Succeeded, dryRun) { RowsChanged = rows, ConversationsChanged = conversations };
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            var holder = await AdvisoryLocks.FindHolderAsync(connection, AdvisoryLocks.RefreshKey);
            return new ChatwootBackfillResult(ChatwootBackfillOutcome.LockTimeout, dryRun)
            {
                Error = holder is not null
                    ? $"a refresh is running ({holder}); waited {lockTimeout.TotalSeconds:0.#} s. Nothing was changed. Let it finish, or raise --lock-timeout."
                    : $"the backfill waited {lockTimeout.TotalSeconds:0.#} s for a lock held by another session ({e.MessageText}); nothing was changed. " +
                      "Find the holder in pg_locks / pg_stat_activity, or raise --lock-timeout.",
            };
        }
    }
}
