using DbUp.Engine;

namespace Metrics.Runner.Migrations;

public enum ScriptKind
{
    /// <summary>Runs once, in the order of its NNNN prefix; must never change after it is applied.</summary>
    Versioned = 1,

    /// <summary>Idempotent; runs after the versioned scripts whenever its checksum changes.</summary>
    Repeatable = 2,
}

/// <summary>
/// One SQL script shipped with the tool, as written in <c>db/</c> (variables not yet substituted).
/// A DbUp <see cref="SqlScript"/>: DbUp orders scripts by run group (versioned, then repeatable)
/// and then by name, ordinally; every script is journaled (DbUp's RunOnce), and our
/// <see cref="PendingScriptFilter"/> decides which journaled ones run again.
/// </summary>
public sealed class Script(string name, ScriptKind kind, string sql)
    : SqlScript(name, sql, new SqlScriptOptions { ScriptType = DbUp.Support.ScriptType.RunOnce, RunGroupOrder = (int)kind })
{
    /// <summary>Header line that makes a script run outside a transaction, statement by statement.</summary>
    public const string NoTransactionMarker = "-- metrics:no-transaction";

    /// <summary>Header line of a repeatable script that also re-runs whenever any other script runs (e.g. grants on every view).</summary>
    public const string RerunWithMigrationsMarker = "-- metrics:rerun-with-migrations";

    public ScriptKind Kind { get; } = kind;

    public string Checksum { get; } = ScriptChecksum.Compute(sql);

    /// <summary>False when a header comment line says <see cref="NoTransactionMarker"/> (e.g. CREATE INDEX CONCURRENTLY).</summary>
    public bool RunsInTransaction { get; } = !HeaderLines(sql).Any(line => line.Trim() == NoTransactionMarker);

    /// <summary>True for a repeatable script whose header says <see cref="RerunWithMigrationsMarker"/>.</summary>
    public bool RerunsWithMigrations { get; } = kind == ScriptKind.Repeatable && HeaderLines(sql).Any(line => line.Trim() == RerunWithMigrationsMarker);

    /// <summary>"versioned" or "repeatable", as the journal and the output name it.</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();

    private static IEnumerable<string> HeaderLines(string sql) =>
        sql.ReplaceLineEndings("\n").Split('\n')
            .SkipWhile(string.IsNullOrWhiteSpace)
            .TakeWhile(line => line.TrimStart().StartsWith("--", StringComparison.Ordinal));
}
