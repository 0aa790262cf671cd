using System.Diagnostics;
using DbUp.Builder;
using DbUp.Engine;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using Npgsql;

namespace Metrics.Runner.Migrations;

/// <summary>
/// DbUp's PostgreSQL script executor (preprocessing, splitting, running each statement, journaling
/// in the script's transaction) with what migrate adds around one script: its transaction mode (a
/// versioned script's own transaction, or none when its header asks; the repeatable group's one
/// transaction), a progress line followed by the server's warnings, and a one-line error naming
/// the script and the line of the statement that failed.
/// </summary>
public sealed class MigrationScriptExecutor : PostgresqlScriptExecutor
{
    private readonly MigrationSession _session;
    private readonly TextWriter _output;
    private readonly List<string> _warnings = [];

    public MigrationScriptExecutor(MigrationSession session, UpgradeConfiguration configuration, TextWriter output)
        : base(() => session, () => configuration.Log, null, () => configuration.VariablesEnabled, configuration.ScriptPreprocessors, () => configuration.Journal)
    {
        _session = session;
        _output = output;
        // scripts raise a WARNING for what they had to skip (e.g. a role they may not create)
        session.Connection.Notice += (_, e) =>
        {
            if (e.Notice.InvariantSeverity == "WARNING")
                _warnings.Add($"warning: {e.Notice.MessageText}{(e.Notice.Hint is { } hint ? " " + hint : "")}");
        };
    }

    public override void Execute(SqlScript script, IDictionary<string, string> variables)
    {
        var migration = (Script)script;
        _session.TransactionMode = migration.Kind == ScriptKind.Repeatable ? TransactionMode.SingleTransaction
            : migration.RunsInTransaction ? TransactionMode.TransactionPerScript
            : TransactionMode.NoTransaction;
        _output.Write($"applying {script.Name} ... ");
        var started = Stopwatch.GetTimestamp();
        try
        {
            base.Execute(script, variables);
            _output.WriteLine($"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
        }
        catch
        {
            _output.WriteLine("failed");
            throw;
        }
        finally
        {
            foreach (var warning in _warnings)
                _output.WriteLine(warning);
            _warnings.Clear();
        }
    }

    /// <summary>Replaces the base class's multi-line log of a failure with one line that says where and what.</summary>
    protected override void ExecuteCommandsWithinExceptionHandler(int index, SqlScript script, Action executeCommand)
    {
        try
        {
            executeCommand();
        }
        catch (PostgresException e)
        {
            var migration = (Script)script;
            var aftermath = migration.Kind == ScriptKind.Repeatable
                ? "The repeatable group was rolled back: no repeatable script's change or journal row from this run stays; versioned scripts before it stay applied."
                : migration.RunsInTransaction
                ? "It was rolled back; scripts before it stay applied."
                : "It runs without a transaction: statements before that line were committed; the script is written to be re-run.";
            throw new ScriptFailedException(
                $"script {script.Name} failed at line {LineOf(script, index, e.Position)}: {e.MessageText} (SQLSTATE {e.SqlState}). {aftermath} Fix the cause and run migrate again.",
                e);
        }
    }

    /// <summary>
    /// The script line of PostgreSQL's error position (1-based, within the statement sent; 0 when
    /// it gave none: the statement's first line). DbUp's splitter returns each statement as a
    /// trimmed, unaltered piece of the script, in order, so each is found by searching on from the
    /// end of the one before.
    /// </summary>
    private int LineOf(SqlScript script, int index, int position)
    {
        var text = PreprocessScriptContents(script, null);
        var statements = _session.SplitScriptIntoCommands(text).ToList();
        var start = 0;
        for (var i = 0; i <= index; i++)
        {
            start = text.IndexOf(statements[i], start, StringComparison.Ordinal);
            if (i < index)
                start += statements[i].Length;
        }
        var errorAt = start + Math.Clamp(position - 1, 0, statements[index].Length);
        return 1 + text.AsSpan(0, errorAt).Count('\n');
    }
}
