using System.Diagnostics;
using Dapper;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Migrations;

public sealed record MigrateOptions(bool DryRun, TimeSpan LockTimeout);

/// <summary>
/// Applies pending scripts in order, each in its own transaction together with its journal
/// row, under the migrate advisory lock. Stops at the first failure: earlier scripts stay
/// applied, the failed one is rolled back and not journaled. Never throws for a failed script,
/// drift, missing app tables or a held lock: it returns a <see cref="MigrationResult"/>.
/// Connection failures propagate as Npgsql exceptions for the caller to describe.
/// </summary>
public sealed class Migrator(DatabaseTarget target, ScriptSource source, TextWriter output, string readerRole = ScriptVariables.DefaultReaderRole)
{
    private readonly ScriptVariables _variables = ScriptVariables.For(target.AppSchema, readerRole);
    private readonly List<string> _warnings = [];

    public async Task<MigrationPlan> ReadPlanAsync(NpgsqlConnection connection) =>
        MigrationPlan.Create(source, await new Journal(connection).ReadAsync());

    public async Task<MigrationResult> MigrateAsync(MigrateOptions options, CancellationToken cancellationToken = default)
    {
        await using var connection = await target.OpenAsync(cancellationToken);
        // scripts raise a WARNING for what they had to skip (e.g. a role they may not create);
        // printed after the script's progress line
        connection.Notice += (_, e) =>
        {
            if (e.Notice.InvariantSeverity == "WARNING")
                _warnings.Add($"warning: {e.Notice.MessageText}{(e.Notice.Hint is { } hint ? " " + hint : "")}");
        };
        if (await AppTables.FindMissingAsync(connection, target) is { } missingTables)
            return new MigrationResult(MigrationOutcome.AppTablesMissing, [], missingTables);

        if (options.DryRun)
            return DryRun(await ReadPlanAsync(connection));

        if (!await AdvisoryLocks.TryAcquireAsync(connection, AdvisoryLocks.MigrateKey, options.LockTimeout, cancellationToken))
        {
            var holder = await AdvisoryLocks.FindHolderAsync(connection, AdvisoryLocks.MigrateKey);
            return new MigrationResult(MigrationOutcome.LockTimeout, [],
                $"another migrate holds the lock ({holder?.ToString() ?? "holder already gone"}); waited {options.LockTimeout.TotalSeconds:0.#} s. " +
                "Wait for it to finish, or raise --lock-timeout.") { LockHolder = holder };
        }

        try
        {
            var journal = new Journal(connection);
            await journal.EnsureCreatedAsync();
            var plan = await ReadPlanAsync(connection);
            if (plan.Drifted.Count > 0)
                return DriftResult(plan);
            return await ApplyAsync(connection, journal, plan, cancellationToken);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
                await AdvisoryLocks.ReleaseAsync(connection, AdvisoryLocks.MigrateKey);
        }
    }

    private MigrationResult DryRun(MigrationPlan plan)
    {
        if (plan.Drifted.Count > 0)
            return DriftResult(plan);
        foreach (var script in plan.Pending)
        {
            if (!_variables.TrySubstitute(script.Sql, out var sql, out var unknown))
                return UnknownVariable(script, unknown);
            output.WriteLine($"-- ==== {script.Name} ({script.Kind.ToString().ToLowerInvariant()}, {(script.RunsInTransaction ? "in one transaction" : "no transaction")}) ====");
            output.WriteLine(sql.TrimEnd());
            output.WriteLine();
        }
        return new MigrationResult(MigrationOutcome.Succeeded, plan.Pending.Select(s => new AppliedScript(s, TimeSpan.Zero)).ToList()) { Plan = plan };
    }

    private async Task<MigrationResult> ApplyAsync(NpgsqlConnection connection, Journal journal, MigrationPlan plan, CancellationToken cancellationToken)
    {
        var substituted = new List<(Script Script, string Sql)>();
        foreach (var script in plan.Pending)
        {
            if (!_variables.TrySubstitute(script.Sql, out var sql, out var unknown))
                return UnknownVariable(script, unknown);
            substituted.Add((script, sql));
        }

        var applied = new List<AppliedScript>();
        foreach (var (script, sql) in substituted)
        {
            output.Write($"applying {script.Name} ... ");
            var stopwatch = Stopwatch.StartNew();
            var error = await TryRunAsync(connection, journal, script, sql, stopwatch, cancellationToken);
            if (error is not null)
            {
                output.WriteLine("failed");
                foreach (var warning in _warnings)
                    output.WriteLine(warning);
                _warnings.Clear();
                return new MigrationResult(MigrationOutcome.ScriptFailed, applied, error) { Plan = plan, FailedScript = script.Name };
            }
            output.WriteLine($"{stopwatch.ElapsedMilliseconds} ms");
            foreach (var warning in _warnings)
                output.WriteLine(warning);
            _warnings.Clear();
            applied.Add(new AppliedScript(script, stopwatch.Elapsed));
        }
        return new MigrationResult(MigrationOutcome.Succeeded, applied) { Plan = plan };
    }

    /// <summary>Runs one script and journals it; returns the one-line error, or null on success.</summary>
    private static async Task<string?> TryRunAsync(
        NpgsqlConnection connection, Journal journal, Script script, string sql, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var statements = SqlStatementSplitter.Split(sql);
        var transaction = script.RunsInTransaction ? await connection.BeginTransactionAsync(cancellationToken) : null;
        var current = statements.FirstOrDefault();
        try
        {
            foreach (var statement in statements)
            {
                current = statement;
                await using var command = new NpgsqlCommand(statement.Sql, connection, transaction) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await journal.RecordAsync(script, (int)stopwatch.ElapsedMilliseconds, transaction);
            if (transaction is not null)
                await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (PostgresException e)
        {
            if (transaction is not null)
                await transaction.RollbackAsync(CancellationToken.None);
            var line = current is null ? 1 : e.Position > 0 ? current.LineOf(e.Position) : current.StartLine;
            var aftermath = script.RunsInTransaction
                ? "It was rolled back; scripts before it stay applied."
                : "It runs without a transaction: statements before that line were committed; the script is written to be re-run.";
            return $"script {script.Name} failed at line {line}: {e.MessageText} (SQLSTATE {e.SqlState}). {aftermath} Fix the cause and run migrate again.";
        }
        finally
        {
            if (transaction is not null)
                await transaction.DisposeAsync();
        }
    }

    private MigrationResult UnknownVariable(Script script, string variable) =>
        new(MigrationOutcome.ScriptFailed, [], $"script {script.Name} uses unknown variable ${{{variable}}} (known: {_variables.KnownNames}). Nothing was applied.")
        {
            FailedScript = script.Name,
        };

    private static MigrationResult DriftResult(MigrationPlan plan) =>
        new(MigrationOutcome.Drift, [],
            $"drift: {string.Join(", ", plan.Drifted.Select(d => d.Name))} changed after being applied. " +
            "Applied scripts must never be edited: restore the original text and put the change in a new migration. Nothing was applied.")
        {
            Plan = plan,
        };
}
