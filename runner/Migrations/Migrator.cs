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
/// before anything runs, and the dry run. DbUp's: ordering, running each script in its own
/// transaction with its journal row, stopping at the first failure (earlier scripts stay applied,
/// the failed one is rolled back and not journaled). Never throws for a failed script, drift,
/// missing app tables or a held lock: it returns a <see cref="MigrationResult"/>. Connection
/// failures propagate as Npgsql exceptions for the caller to describe.
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

        try
        {
            var engine = BuildEngine(new MigrationSession(connection));
            var plan = MigrationPlan.Read(engine, new Journal(connection));
            if (plan.Drifted.Count > 0)
                return DriftResult(plan);
            if (FindUnknownVariable(plan) is { } unknown)
                return unknown;
            var started = Stopwatch.GetTimestamp();
            var upgrade = engine.PerformUpgrade();
            var scripts = upgrade.Scripts.Cast<Script>().ToList();
            if (upgrade.Successful)
                return new MigrationResult(MigrationOutcome.Succeeded, scripts, Stopwatch.GetElapsedTime(started));
            if (upgrade.Error is ScriptFailedException failed)
                return new MigrationResult(MigrationOutcome.ScriptFailed, scripts, Stopwatch.GetElapsedTime(started), failed.Message);
            ExceptionDispatchInfo.Capture(upgrade.Error).Throw();
            throw new UnreachableException();
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
                await AdvisoryLocks.ReleaseAsync(connection, AdvisoryLocks.MigrateKey);
        }
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
        foreach (var script in plan.Pending)
        {
            output.WriteLine($"-- ==== {script.Name} ({script.KindName}, {(script.RunsInTransaction ? "in one transaction" : "no transaction")}) ====");
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
