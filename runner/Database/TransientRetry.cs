using System.Net.Sockets;
using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>
/// Retries an operation that failed because the connection did (server restarting, connection
/// reset, backend terminated, too many connections) with exponential backoff: 1, 2, 4... s, at most 60 s.
/// Only for operations that are safe to repeat as a whole, like one refresh (it is atomic).
/// Each retry is logged; the last failure is rethrown for the caller to report.
/// </summary>
public sealed class TransientRetry(int retries, TextWriter log)
{
    public int Attempts { get; private set; }

    public async Task<T> RunAsync<T>(string what, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        for (Attempts = 1; ; Attempts++)
        {
            try
            {
                return await operation();
            }
            catch (Exception e) when (Attempts <= retries && IsTransient(e))
            {
                var wait = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Attempts - 1)));
                log.WriteLine($"warning: {what} failed: {Describe(e)}; retry {Attempts} of {retries} in {wait.TotalSeconds:0} s");
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    /// <summary>Failures of the connection or the server, not of our SQL: repeating may succeed.</summary>
    private static bool IsTransient(Exception error) => error switch
    {
        PostgresException e => e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState is
            PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        NpgsqlException { InnerException: SocketException or IOException or EndOfStreamException } => true,
        NpgsqlException e => e.IsTransient,
        _ => false,
    };

    private static string Describe(Exception error) => error switch
    {
        PostgresException e => $"{e.MessageText} (SQLSTATE {e.SqlState})",
        { InnerException: { } inner } => $"{error.Message} ({inner.Message})",
        _ => error.Message,
    };
}
