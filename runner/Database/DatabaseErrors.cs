using System.Net.Sockets;
using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>
/// Turns what Npgsql throws while connecting into one line that says what failed and what to do.
/// Never includes the password: only the target's description and the server's own message.
/// </summary>
public static class DatabaseErrors
{
    /// <summary>Returns the one-line message for a connection failure, or null when <paramref name="error"/> is not one.</summary>
    public static string? DescribeConnectionFailure(Exception error, DatabaseTarget target)
    {
        var where = target.Description;
        switch (error)
        {
            case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword }:
                return $"authentication failed for {where}: check the user name and password in --connection or DATABASE_URL.";
            case PostgresException { SqlState: PostgresErrorCodes.InvalidAuthorizationSpecification } e:
                return $"the server refused {where}: {e.MessageText} (check pg_hba.conf, the user name and sslmode).";
            case PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }:
                return $"database missing: {where} does not exist. Create it, or fix the database name in --connection or DATABASE_URL.";
            case PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections } e:
                return $"the server at {where} does not accept connections now: {e.MessageText}. Retry later.";
            case NpgsqlException { InnerException: SocketException socket }:
                return $"cannot reach PostgreSQL at {where}: {socket.Message}. Check the host and port, and that the server is running.";
            case NpgsqlException { InnerException: TimeoutException }:
                return $"timed out connecting to {where}. Check the host, port and firewall, or raise connect_timeout.";
            case NpgsqlException { InnerException: System.Security.Authentication.AuthenticationException tls }:
                return $"TLS negotiation with {where} failed: {tls.Message}. Check sslmode and the server certificate.";
            case NpgsqlException e when e is not PostgresException && e.Message.Contains("SSL", StringComparison.Ordinal):
                return $"TLS with {where} failed: {e.Message.TrimEnd('.')}. Check sslmode (the server may not offer SSL: sslmode=prefer or disable) and the server's ssl setting.";
            case NpgsqlException e when e is not PostgresException && e.Message.Contains("password", StringComparison.OrdinalIgnoreCase):
                return $"authentication failed for {where}: the server requires a password; give one in --connection or DATABASE_URL.";
            default:
                return null;
        }
    }
}
