using System.Data;
using System.Diagnostics;
using Dapper;
using DbUp.Engine;
using Npgsql;

namespace Metrics.Runner.Migrations;

/// <summary>One row of the journal: a script that was applied, and how.</summary>
public sealed record JournalEntry(string ScriptName, string ScriptKind, string Checksum, DateTime AppliedAt, int DurationMs, string AppliedBy);

/// <summary>
/// DbUp's journal, kept in <c>metrics.schema_journal</c>: one row per applied script, with its
/// normalised checksum, kind, duration and database user (a repeatable script's row is updated
/// each time it re-runs). DbUp writes the row in the same transaction as the script (for a
/// repeatable script, the group's one transaction), so a script is journaled exactly when its
/// changes are committed. The table's shape is the one the first
/// release created; it never changes meaning.
/// </summary>
public sealed class Journal(NpgsqlConnection connection) : IJournal
{
    public const string TableName = "metrics.schema_journal";

    private long _scriptStarted;

    public IReadOnlyList<JournalEntry> ReadEntries()
    {
        if (!connection.ExecuteScalar<bool>($"select to_regclass('{TableName}') is not null"))
            return [];
        return connection.Query<JournalEntry>(
            $"""
            select script_name as ScriptName, script_kind as ScriptKind, checksum as Checksum,
                   applied_at at time zone 'UTC' as AppliedAt, duration_ms as DurationMs, applied_by as AppliedBy
            from {TableName}
            order by applied_at, script_name
            """).ToList();
    }

    public string[] GetExecutedScripts() => ReadEntries().Select(entry => entry.ScriptName).ToArray();

    /// <summary>DbUp calls this first thing in each script's transaction: it also starts the script's clock.</summary>
    public void EnsureTableExistsAndIsLatestVersion(Func<IDbCommand> dbCommandFactory)
    {
        _scriptStarted = Stopwatch.GetTimestamp();
        using var command = dbCommandFactory();
        var connection = command.Connection!;
        if (connection.ExecuteScalar<bool>($"select to_regclass('{TableName}') is not null", transaction: command.Transaction))
            return;
        connection.Execute(
            $"""
            create schema if not exists metrics;
            create table if not exists {TableName} (
                script_name text primary key,
                script_kind text not null check (script_kind in ('versioned', 'repeatable')),
                checksum text not null,
                applied_at timestamptz not null default now(),
                duration_ms integer not null,
                applied_by text not null default current_user
            );
            comment on table {TableName} is
                'Scripts applied by `metrics migrate`: one row per script. Maintained by the runner; do not edit.';
            comment on column {TableName}.script_name is 'The script: NNNN_verb_object.sql (db/migrations), or folder/file.sql for a repeatable one (db/functions, views, procedures, triggers, grants).';
            comment on column {TableName}.script_kind is 'versioned (runs once) or repeatable (the whole group re-runs, in one transaction, when anything must run).';
            comment on column {TableName}.checksum is 'SHA-256 of the script text with line endings, BOM and trailing whitespace normalised.';
            comment on column {TableName}.applied_at is 'When the script was (last) applied.';
            comment on column {TableName}.duration_ms is 'How long the script took, in milliseconds.';
            comment on column {TableName}.applied_by is 'Database user that applied the script.';
            """,
            transaction: command.Transaction);
    }

    public void StoreExecutedScript(SqlScript script, Func<IDbCommand> dbCommandFactory)
    {
        var applied = (Script)script;
        using var command = dbCommandFactory();
        command.Connection!.Execute(
            $"""
            insert into {TableName} (script_name, script_kind, checksum, duration_ms)
            values (@name, @kind, @checksum, @durationMs)
            on conflict (script_name) do update
                set checksum = excluded.checksum, applied_at = now(), duration_ms = excluded.duration_ms, applied_by = current_user
            """,
            new
            {
                name = applied.Name,
                kind = applied.KindName,
                checksum = applied.Checksum,
                durationMs = (int)Stopwatch.GetElapsedTime(_scriptStarted).TotalMilliseconds,
            },
            command.Transaction);
    }
}
