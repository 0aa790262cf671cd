using System.CommandLine;
using Metrics.Runner.Database;
using Metrics.Runner.Migrations;
using Npgsql;

namespace Metrics.Runner.Commands;

/// <summary>
/// The one place where a database command's inputs are resolved and its failures become a
/// one-line message and an exit code: a bad connection string, an unreachable server, scripts
/// refused as they load, an unexpected error (its stack trace only with --verbose).
/// </summary>
public sealed class DatabaseCommandRunner(Func<string, string?> environment)
{
    /// <param name="reportFailure">
    /// Also given the one-line message of a failure reported here, for a command that prints it
    /// elsewhere too (refresh --json puts it in its result object).
    /// </param>
    public async Task<int> RunAsync(ParseResult parseResult, Func<DatabaseTarget, TextWriter, Task<int>> body, Action<string>? reportFailure = null)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var errors = parseResult.InvocationConfiguration.Error;
        var connection = parseResult.GetValue(CommonOptions.Connection) ?? environment(CommonOptions.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
        {
            errors.WriteLine($"error: no database given: pass --connection or set {CommonOptions.ConnectionVariable}.");
            return ExitCodes.UsageError;
        }
        if (!DatabaseTarget.TryParse(connection, parseResult.GetValue(CommonOptions.AppSchema), out var target, out var parseError))
        {
            errors.WriteLine($"error: {parseError}");
            return ExitCodes.UsageError;
        }

        try
        {
            return await body(target!, output);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var (exitCode, message) = Describe(e, target!);
            errors.WriteLine($"error: {message}");
            if (parseResult.GetValue(CommonOptions.Verbose))
                errors.WriteLine(e.ToString());
            reportFailure?.Invoke(message);
            return exitCode;
        }
    }

    private static (int ExitCode, string Message) Describe(Exception error, DatabaseTarget target)
    {
        if (error is ScriptRefusedException refused)
            return (ExitCodes.ScriptFailed, refused.Message);
        if (error is not (NpgsqlException or TimeoutException))
            return (ExitCodes.UnexpectedError, $"unexpected {error.GetType().Name}: {error.Message}. Rerun with --verbose for details.");
        if (DatabaseErrors.DescribeConnectionFailure(error, target) is { } connectionFailure)
            return (ExitCodes.ConnectionFailed, connectionFailure);
        if (error is PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } readOnly)
            return (ExitCodes.UnexpectedError,
                $"{target.Description} accepts no writes ({readOnly.MessageText.TrimEnd('.')}): it is a hot standby, or its sessions default to read-only transactions. " +
                "This command writes, so nothing was written: run it against the primary.");
        // the server's hint says what to do (the procedure's own errors give one); its detail may hold data, so it stays out
        var what = error is PostgresException pg
            ? $"{pg.MessageText.TrimEnd('.')} (SQLSTATE {pg.SqlState}){(pg.Hint is { Length: > 0 } hint ? $". {hint.TrimEnd('.')}" : "")}"
            : error.Message.TrimEnd('.');
        return (ExitCodes.UnexpectedError, $"database error on {target.Description}: {what}. Rerun with --verbose for details.");
    }
}
