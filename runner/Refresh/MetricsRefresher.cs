using System.Data;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Dapper;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Refresh;

/// <param name="FullRebuild">Rebuild everything from scratch instead of processing only what changed since the last refresh.</param>
public sealed record RefreshOptions(TimeSpan LockTimeout, TimeSpan StatementTimeout, bool FullRebuild);

/// <summary>
/// Runs <c>CALL metrics.refresh(as_of)</c>, with <c>full_rebuild => true</c> when asked (all metric logic lives in that SQL procedure) and
/// reads back what it wrote. Returns a <see cref="RefreshResult"/> for the expected failures:
/// schema not migrated, app tables missing, another refresh holding the lock.
/// Each NOTICE the procedure raises during the call (a finished stage: "parsed 6,607 app rows in
/// 85 ms") is written to <paramref name="progress"/> as it arrives, one line each.
/// </summary>
public sealed class MetricsRefresher(DatabaseTarget target, TextWriter progress)
{
    public async Task<RefreshResult> RefreshAsync(DateTimeOffset? asOf, RefreshOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync(cancellationToken);
        var effectiveAsOf = asOf ?? await connection.ExecuteScalarAsync<DateTime>("select now()");
        if (await AppTables.FindMissingAsync(connection, target) is { } missingTables)
            return new RefreshResult(RefreshOutcome.AppTablesMissing, effectiveAsOf, TimeSpan.Zero) { Error = missingTables };
        // this version reads its facts back through metrics_staging.written_fact (migration 0012)
        if (!await connection.ExecuteScalarAsync<bool>(
                "select to_regprocedure('metrics.refresh(timestamptz, boolean)') is not null and to_regclass('metrics_staging.written_fact') is not null"))
            return new RefreshResult(RefreshOutcome.NotMigrated, effectiveAsOf, TimeSpan.Zero)
            {
                Error = $"the metrics schema of {target.Description} is not migrated, or not to this version (no metrics.refresh(timestamptz, boolean) procedure or metrics_staging.written_fact table): run `metrics migrate` first.",
            };

        // The call and the read-back share one transaction: the procedure's advisory lock is held
        // until we commit, so what we read back is what this refresh wrote, not a later one's.
        // READ COMMITTED whatever the role's default_transaction_isolation: the procedure refuses
        // any other level (its snapshot would predate the lock it waits for).
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await connection.ExecuteAsync(
            "select set_config('lock_timeout', @lockTimeout, true), set_config('statement_timeout', @statementTimeout, true)",
            new
            {
                lockTimeout = TimeoutSettings.LockTimeout(options.LockTimeout),
                statementTimeout = TimeoutSettings.StatementTimeout(options.StatementTimeout),
            },
            transaction);

        var stopwatch = Stopwatch.StartNew();
        connection.Notice += ReportStage;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "call metrics.refresh(@asOf, full_rebuild => @fullRebuild)",
                new { asOf = effectiveAsOf.UtcDateTime, fullRebuild = options.FullRebuild }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            var holder = await AdvisoryLocks.FindHolderAsync(connection, AdvisoryLocks.RefreshKey);
            return new RefreshResult(RefreshOutcome.LockTimeout, effectiveAsOf, stopwatch.Elapsed)
            {
                Error = holder is not null
                    ? $"another refresh is running ({holder}); waited {options.LockTimeout.TotalSeconds:0.#} s; this one wrote nothing. " +
                      "Let it finish (its facts are as good as ours), or raise --lock-timeout."
                    : $"the refresh waited {options.LockTimeout.TotalSeconds:0.#} s for a lock held by another session ({e.MessageText}); nothing was written. " +
                      "Find the holder in pg_locks / pg_stat_activity, or raise --lock-timeout.",
            };
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && IsStatementTimeout(options, stopwatch.Elapsed))
        {
            return new RefreshResult(RefreshOutcome.StatementTimeout, effectiveAsOf, stopwatch.Elapsed)
            {
                Error = $"the refresh ran longer than --statement-timeout {options.StatementTimeout.TotalSeconds:0.#} s and was cancelled; nothing was written. " +
                        "Raise --statement-timeout, or look for what it waited on (pg_stat_activity).",
            };
        }
        finally
        {
            connection.Notice -= ReportStage;
        }
        var duration = stopwatch.Elapsed;

        var run = await connection.QuerySingleAsync<(DateTime WindowStart, DateTime WindowEnd, int DataQualityIssues, string Mode, int ChangedRows, string? RepairedDays)>(
            """
            select window_start at time zone 'UTC', window_end at time zone 'UTC', data_quality_issues, refresh_mode, changed_rows, repaired_days::text
            from metrics.refresh_run
            order by refresh_run_id desc
            limit 1
            """,
            transaction: transaction);
        // Our own row of each fact type (metrics_staging.written_fact), never a duplicate another
        // writer (the old job) added for the same window.
        var facts = (await connection.QueryAsync<(string FactType, string Value, string Metadata)>(
            $"""
            select fact."factType", fact.value::text, fact.metadata::text
            from metrics_staging.written_fact as ours
            inner join {SqlIdentifier.Quote(target.AppSchema)}."DashboardFact" as fact
                on fact.id = ours.fact_id and fact."shopDomain" = '__aggregate__' and fact."factType" = ours.fact_type
            where ours.window_end = (select window_end from metrics.refresh_run order by refresh_run_id desc limit 1)
            order by fact."factType"
            """,
            transaction: transaction)).ToList();
        if (facts.Count == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return new RefreshResult(RefreshOutcome.AppSchemaMismatch, effectiveAsOf, duration)
            {
                Error = $"the refresh wrote its facts elsewhere than \"{target.AppSchema}\".\"DashboardFact\": the metrics schema was migrated for another app schema. " +
                        "Pass the app schema it was migrated with (--app-schema or the URL's ?schema=); nothing was written.",
            };
        }
        await transaction.CommitAsync(cancellationToken);

        return new RefreshResult(RefreshOutcome.Succeeded, effectiveAsOf, duration)
        {
            WindowStart = run.WindowStart,
            WindowEnd = run.WindowEnd,
            DataQualityIssues = run.DataQualityIssues,
            Mode = run.Mode,
            ChangedRows = run.ChangedRows,
            RepairedDays = run.RepairedDays is null ? null : RepairedDay.ListFromJson(run.RepairedDays),
            Facts = facts.Select(f => new WrittenFact(f.FactType, JsonNode.Parse(f.Value)!.AsObject(), JsonNode.Parse(f.Metadata)!.AsObject())).ToList(),
        };
    }

    /// <summary>A progress NOTICE of the procedure (a finished stage), as one line.</summary>
    private void ReportStage(object sender, NpgsqlNoticeEventArgs e)
    {
        if (e.Notice.InvariantSeverity == "NOTICE")
            progress.WriteLine(e.Notice.MessageText);
    }

    /// <summary>
    /// SQLSTATE 57014 means a statement timeout or a cancel request (pg_cancel_backend); the
    /// message text is translated by the server, so the elapsed time tells them apart.
    /// </summary>
    private static bool IsStatementTimeout(RefreshOptions options, TimeSpan elapsed) =>
        options.StatementTimeout > TimeSpan.Zero && elapsed >= options.StatementTimeout - TimeSpan.FromMilliseconds(100);
}
