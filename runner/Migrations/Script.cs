namespace Metrics.Runner.Migrations;

public enum ScriptKind
{
    /// <summary>Runs once, in numeric order; must never change after it is applied.</summary>
    Versioned,

    /// <summary>Idempotent; runs after the versioned scripts whenever its checksum changes.</summary>
    Repeatable,
}

/// <summary>One SQL script shipped with the tool, as written in <c>db/</c> (variables not yet substituted).</summary>
public sealed record Script(string Name, ScriptKind Kind, int? Version, string Sql)
{
    /// <summary>Header line that makes a script run outside a transaction, statement by statement.</summary>
    public const string NoTransactionMarker = "-- metrics:no-transaction";

    /// <summary>Header line of a repeatable script that also re-runs whenever any other script runs (e.g. grants on every view).</summary>
    public const string RerunWithMigrationsMarker = "-- metrics:rerun-with-migrations";

    public string Checksum { get; } = ScriptChecksum.Compute(Sql);

    /// <summary>False when a header comment line says <see cref="NoTransactionMarker"/> (e.g. CREATE INDEX CONCURRENTLY).</summary>
    public bool RunsInTransaction { get; } = !HeaderLines(Sql).Any(line => line.Trim() == NoTransactionMarker);

    /// <summary>True for a repeatable script whose header says <see cref="RerunWithMigrationsMarker"/>.</summary>
    public bool RerunsWithMigrations { get; } = Kind == ScriptKind.Repeatable && HeaderLines(Sql).Any(line => line.Trim() == RerunWithMigrationsMarker);

    private static IEnumerable<string> HeaderLines(string sql) =>
        sql.ReplaceLineEndings("\n").Split('\n')
            .SkipWhile(string.IsNullOrWhiteSpace)
            .TakeWhile(line => line.TrimStart().StartsWith("--", StringComparison.Ordinal));
}
