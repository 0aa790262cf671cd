using DbUp.Engine;

namespace Metrics.Runner.Migrations;

public enum ScriptKind
{
    /// <summary>Runs once, in the order of its NNNN prefix; must never change after it is applied.</summary>
    Versioned = 1,

    /// <summary>
    /// Idempotent; when anything must run, every repeatable script runs after the versioned ones,
    /// all of them in one transaction (the repeatable group).
    /// </summary>
    Repeatable = 2,
}

/// <summary>
/// One SQL script shipped with the tool, as written in <c>db/</c> (variables not yet substituted).
/// A DbUp <see cref="SqlScript"/>: DbUp's default sorter orders scripts by run group (the index of
/// the script's folder in <see cref="ScriptSource.Folders"/>) and then by name, ordinally; every
/// script is journaled (DbUp's RunOnce), and our <see cref="PendingScriptFilter"/> decides which
/// journaled ones run again.
/// </summary>
public sealed class Script(string name, ScriptKind kind, int runGroupOrder, string sql)
    : SqlScript(name, sql, new SqlScriptOptions { ScriptType = DbUp.Support.ScriptType.RunOnce, RunGroupOrder = runGroupOrder })
{
    /// <summary>Header line that makes a versioned script run outside a transaction, statement by statement.</summary>
    public const string NoTransactionMarker = "-- metrics:no-transaction";

    public ScriptKind Kind { get; } = kind;

    public string Checksum { get; } = ScriptChecksum.Compute(sql);

    /// <summary>False when a header comment line says <see cref="NoTransactionMarker"/> (e.g. CREATE INDEX CONCURRENTLY).</summary>
    public bool RunsInTransaction { get; } = !HeaderLines(sql).Any(line => line.Trim() == NoTransactionMarker);

    /// <summary>"versioned" or "repeatable", as the journal and the output name it.</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();

    private static IEnumerable<string> HeaderLines(string sql) =>
        sql.ReplaceLineEndings("\n").Split('\n')
            .SkipWhile(string.IsNullOrWhiteSpace)
            .TakeWhile(line => line.TrimStart().StartsWith("--", StringComparison.Ordinal));
}
