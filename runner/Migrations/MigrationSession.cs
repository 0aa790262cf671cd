using System.Data;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using Npgsql;

namespace Metrics.Runner.Migrations;

/// <summary>
/// DbUp's connection manager for one run of the runner: every command runs on the one session
/// the runner opened, the one that holds the migrate advisory lock. DbUp asks for a managed
/// connection once per script, and <see cref="TransactionMode"/> (set before each script) says
/// what that is: <see cref="TransactionMode.TransactionPerScript"/>, one transaction holding a
/// versioned script and its journal row; <see cref="TransactionMode.NoTransaction"/> (a versioned
/// script marked no-transaction), each statement commits on its own;
/// <see cref="TransactionMode.SingleTransaction"/> (the repeatable group), one transaction opened
/// by the first repeatable script and kept open across the others, which the migrator ends with
/// <see cref="CommitGroup"/> once DbUp's upgrade succeeded, or <see cref="RollBackGroup"/> when it
/// failed. Statements are split by DbUp's PostgreSQL splitter (quotes, dollar quotes, comments).
/// </summary>
public sealed class MigrationSession(NpgsqlConnection connection) : IConnectionManager
{
    /// <summary>DbUp's PostgreSQL statement splitter lives on its connection manager; this one never connects.</summary>
    private readonly PostgresqlConnectionManager _splitter = new(connection.ConnectionString);

    /// <summary>The repeatable group's open transaction, from its first script until the migrator ends it.</summary>
    private NpgsqlTransaction? _group;

    public NpgsqlConnection Connection => connection;

    public TransactionMode TransactionMode { get; set; } = TransactionMode.TransactionPerScript;

    public bool IsScriptOutputLogged { get; set; }

    /// <summary>Null: no limit, a migration may run long.</summary>
    public int? ExecutionTimeoutSeconds { get; set; }

    /// <summary>The session is already open, and the runner closes it when it is done: nothing to do here.</summary>
    public IDisposable OperationStarting(IUpgradeLog upgradeLog, List<SqlScript> executedScripts) => new SessionStaysOpen();

    public void ExecuteCommandsWithManagedConnection(Action<Func<IDbCommand>> action) =>
        ExecuteCommandsWithManagedConnection(commandFactory =>
        {
            action(commandFactory);
            return true;
        });

    public T ExecuteCommandsWithManagedConnection<T>(Func<Func<IDbCommand>, T> actionWithResult)
    {
        if (_group is not null && TransactionMode != TransactionMode.SingleTransaction)
            throw new InvalidOperationException("the repeatable group's transaction is open: scripts outside the group must run before it");
        switch (TransactionMode)
        {
            case TransactionMode.NoTransaction:
                return actionWithResult(() => CreateCommand(null));
            case TransactionMode.SingleTransaction:
                _group ??= connection.BeginTransaction();
                return actionWithResult(() => CreateCommand(_group));
            default:
                using (var transaction = connection.BeginTransaction())
                {
                    var result = actionWithResult(() => CreateCommand(transaction));
                    transaction.Commit();
                    return result;
                }
        }
    }

    /// <summary>Commits the repeatable group's scripts and journal rows together; nothing to do when no group ran.</summary>
    public void CommitGroup()
    {
        if (_group is null)
            return;
        using var group = _group;
        _group = null;
        group.Commit();
    }

    /// <summary>
    /// Rolls back every script and journal row of the repeatable group; nothing to do when none is
    /// open. On a broken session there is nothing to roll back here: the server already has.
    /// </summary>
    public void RollBackGroup()
    {
        if (_group is null)
            return;
        using var group = _group;
        _group = null;
        if (connection.State == ConnectionState.Open)
            group.Rollback();
    }

    public IEnumerable<string> SplitScriptIntoCommands(string scriptContents) => _splitter.SplitScriptIntoCommands(scriptContents);

    public bool TryConnect(IUpgradeLog upgradeLog, out string errorMessage)
    {
        errorMessage = "";
        return connection.State == ConnectionState.Open;
    }

    private NpgsqlCommand CreateCommand(NpgsqlTransaction? transaction) =>
        new() { Connection = connection, Transaction = transaction, CommandTimeout = ExecutionTimeoutSeconds ?? 0 };

    private sealed class SessionStaysOpen : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
