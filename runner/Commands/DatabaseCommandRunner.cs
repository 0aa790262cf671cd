using System.CommandLine;
using Metrics.Runner.Database;
using Npgsql;

namespace Metrics.Runner.Commands;

/// <summary>
/// The one place where a database command's inputs are resolved and its failures become a
/// one-line message and an exit code: a bad connection string, an unreachable server, an
/// unexpected error (its stack trace only with --verbose).
/// </summary>
public sealed class DatabaseCommandRunner(Func<string, string?> environment)
{
    public async Task<int> RunAsync(ParseResult parseResult, Func<DatabaseTarget, TextWriter, Task<int>> body)
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
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            if (DatabaseErrors.DescribeConnectionFailure(e, target!) is { } connectionFailure)
            {
                errors.WriteLine($"error: {connectionFailure}");
                WriteDetails(parseResult, errors, e);
                return ExitCodes.ConnectionFailed;
            }
            var what = e is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : e.Message;
            errors.WriteLine($"error: database error on {target!.Description}: {what.TrimEnd('.')}. Rerun with --verbose for details.");
            WriteDetails(parseResult, errors, e);
            return ExitCodes.UnexpectedError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            errors.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}. Rerun with --verbose for details.");
            WriteDetails(parseResult, errors, e);
            return ExitCodes.UnexpectedError;
        }
    }

    private static void WriteDetails(ParseResult parseResult, TextWriter errors, Exception e)
    {
        if (parseResult.GetValue(CommonOptions.Verbose))
            errors.WriteLine(e.ToString());
    }
}
