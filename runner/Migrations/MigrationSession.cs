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
/// connection once per script; with <see cref="TransactionMode.TransactionPerScript"/> that is one
/// transaction holding the script and its journal row, with <see cref="TransactionMode.NoTransaction"/>
/// (set for a script marked no-transaction) each statement commits on its own. Statements are split
/// by DbUp's PostgreSQL splitter (quotes, dollar quotes, comments).
/// </summary>
public sealed class MigrationSession(NpgsqlConnection connection) : IConnectionManager
{
    /// <summary>DbUp's PostgreSQL statement splitter lives on its connection manager; this one never connects.</summary>
    private readonly PostgresqlConnectionManager _splitter = new(connection.ConnectionString);

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
        if (TransactionMode == TransactionMode.NoTransaction)
            return actionWithResult(() => CreateCommand(null));
        using var transaction = connection.BeginTransaction();
        var result = actionWithResult(() => CreateCommand(transaction));
        transaction.Commit();
        return result;
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
