using System.Diagnostics;
using System.Runtime.ExceptionServices;
using DbUp;
using DbUp.Engine;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Migrations;

public sealed record MigrateOptions(bool DryRun, TimeSpan LockTimeout);

/// <summary>
/// <c>metrics migrate</c> around DbUp's upgrade engine. Ours: the app-table pre-flight, the
/// migrate advisory lock held on the session DbUp runs on, refusing drift and unknown variables
/// before anything runs, ending the repeatable group's one transaction (committed when DbUp's
/// upgrade succeeded, rolled back when it failed), and the dry run. DbUp's: ordering, running each
/// script with its journal row, stopping at the first failure (earlier versioned scripts stay
/// applied; the failed script is rolled back, and with it the whole repeatable group when it is
/// one of them). Never throws for a failed script, drift, missing app tables or a held lock: it
/// returns a <see cref="MigrationResult"/>. Connection failures propagate as Npgsql exceptions for
/// the caller to describe.
/// </summary>
public sealed class Migrator(DatabaseTarget target, ScriptSource source, TextWriter output, string readerRole = ScriptVariables.DefaultReaderRole, TextWriter? verboseLog = null)
{
    private readonly ScriptVariables _variables = ScriptVariables.For(target.AppSchema, readerRole);

    public MigrationPlan ReadPlan(NpgsqlConnection connection) => MigrationPlan.Read(BuildEngine(new MigrationSession(connection)), new Journal(connection));

    public async Task<MigrationResult> MigrateAsync(MigrateOptions options, CancellationToken cancellationToken = default)
    {
        await using var connection = await target.OpenAsync(cancellationToken);
        if (await AppTables.FindMissingAsync(connection, target) is { } missingTables)
            return new MigrationResult(MigrationOutcome.AppTablesMissing, [], Error: missingTables);

        if (options.DryRun)
            return DryRun(ReadPlan(connection));

        if (!await AdvisoryLocks.TryAcquireAsync(connection, AdvisoryLocks.MigrateKey, options.LockTimeout, cancellationToken))
        {
            var holder = await AdvisoryLocks.FindHolderAsync(connection, AdvisoryLocks.MigrateKey);
            return new MigrationResult(MigrationOutcome.LockTimeout, [], Error:
                $"another migrate holds the lock ({holder?.ToString() ?? "holder already gone"}); waited {options.LockTimeout.TotalSeconds:0.#} s. " +
                "Wait for it to finish, or raise --lock-timeout.");
        }

        var session = new MigrationSession(connection);
        try
        {
            var engine = BuildEngine(session);
            var plan = MigrationPlan.Read(engine, new Journal(connection));
            if (plan.Drifted.Count > 0)
                return DriftResult(plan);
            if (FindUnknownVariable(plan) is { } unknown)
                return unknown;
            var started = Stopwatch.GetTimestamp();
            var upgrade = engine.PerformUpgrade();
            return EndGroup(session, upgrade, started);
        }
        finally
        {
            // no-op once the group is committed; otherwise ends it before the lock is released on the same session
            session.RollBackGroup();
            if (connection.State == System.Data.ConnectionState.Open)
                await AdvisoryLocks.ReleaseAsync(connection, AdvisoryLocks.MigrateKey);
        }
    }

    /// <summary>
    /// Commits the repeatable group when DbUp's upgrade succeeded, or rolls it back when it failed;
    /// the result lists the scripts that stay applied.
    /// </summary>
    private static MigrationResult EndGroup(MigrationSession session, DatabaseUpgradeResult upgrade, long started)
    {
        var scripts = upgrade.Scripts.Cast<Script>().ToList();
        var versioned = scripts.Where(script => script.Kind == ScriptKind.Versioned).ToList();
        if (upgrade.Successful)
        {
            try
            {
                session.CommitGroup();
            }
            catch (PostgresException e)
            {
                return new MigrationResult(MigrationOutcome.ScriptFailed, versioned, Stopwatch.GetElapsedTime(started),
                    $"the repeatable group failed as it was committed: {e.MessageText} (SQLSTATE {e.SqlState}). " +
                    "The repeatable group was rolled back: no repeatable script's change or journal row from this run stays; versioned scripts before it stay applied. " +
                    "Fix the cause and run migrate again.");
            }
            return new MigrationResult(MigrationOutcome.Succeeded, scripts, Stopwatch.GetElapsedTime(started));
        }
        session.RollBackGroup();
        if (upgrade.Error is ScriptFailedException failed)
            return new MigrationResult(MigrationOutcome.ScriptFailed, versioned, Stopwatch.GetElapsedTime(started), failed.Message);
        ExceptionDispatchInfo.Capture(upgrade.Error).Throw();
        throw new UnreachableException();
    }

    private UpgradeEngine BuildEngine(MigrationSession session)
    {
        var journal = new Journal(session.Connection);
        var builder = DeployChanges.To.PostgresqlDatabase(session)
            .WithScripts(source.Scripts)
            .JournalTo(journal)
            .WithFilter(new PendingScriptFilter(journal))
            .WithVariablesDisabled()
            .WithPreprocessor(_variables)
            .LogTo(new UpgradeLog(output, verboseLog));
        builder.Configure(configuration => configuration.ScriptExecutor = new MigrationScriptExecutor(session, configuration, output));
        return builder.Build();
    }

    private MigrationResult DryRun(MigrationPlan plan)
    {
        if (plan.Drifted.Count > 0)
            return DriftResult(plan);
        if (FindUnknownVariable(plan) is { } unknown)
            return unknown;
        var group = plan.Pending.Where(script => script.Kind == ScriptKind.Repeatable).ToList();
        foreach (var script in plan.Pending)
        {
            if (script == group.FirstOrDefault())
                output.WriteLine($"-- ==== the repeatable group: these {group.Count} script(s) run in this order in ONE transaction; if one fails, none of them is applied ====");
            var transaction = script.Kind == ScriptKind.Repeatable ? "in the group's transaction"
                : script.RunsInTransaction ? "in one transaction"
                : "no transaction";
            output.WriteLine($"-- ==== {script.Name} ({script.KindName}, {transaction}) ====");
            output.WriteLine(_variables.Process(script.Contents).TrimEnd());
            output.WriteLine();
        }
        return new MigrationResult(MigrationOutcome.Succeeded, plan.Pending);
    }

    private MigrationResult? FindUnknownVariable(MigrationPlan plan) =>
        plan.Pending.Select(script => (script, unknown: _variables.FindUnknown(script.Contents)))
            .Where(found => found.unknown is not null)
            .Select(found => new MigrationResult(MigrationOutcome.ScriptFailed, [], Error:
                $"script {found.script.Name} uses unknown variable ${{{found.unknown}}} (known: {_variables.KnownNames}). Nothing was applied."))
            .FirstOrDefault();

    private static MigrationResult DriftResult(MigrationPlan plan) =>
        new(MigrationOutcome.Drift, [], Error:
            $"drift: {string.Join(", ", plan.Drifted.Select(d => d.Name))} changed after being applied. " +
            "Applied scripts must never be edited: restore the original text and put the change in a new migration. Nothing was applied.");
}
