using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>
/// The app's Prisma URL format: <c>postgresql://user:pass@host:port/db?schema=app&amp;sslmode=require</c>.
/// User, password and database are percent-decoded. Prisma's own pool parameters are ignored;
/// any other parameter is an error, so a typo never goes unnoticed.
/// </summary>
public sealed record DatabaseUrl(NpgsqlConnectionStringBuilder Builder, string? Schema)
{
    private static readonly string[] Schemes = ["postgres://", "postgresql://"];

    /// <summary>Parameters Prisma's query engine understands that mean nothing to a single connection.</summary>
    private static readonly HashSet<string> IgnoredParameters = new(StringComparer.Ordinal)
    {
        "connection_limit", "pool_timeout", "pgbouncer", "socket_timeout", "statement_cache_size", "sslaccept",
    };

    public static bool IsUrl(string text) =>
        Schemes.Any(scheme => text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase));

    /// <summary>Never throws: a part Npgsql refuses (a NUL, %00, in the user, password, database or a parameter) is an error too.</summary>
    public static bool TryParse(string text, out DatabaseUrl? url, out string error)
    {
        try
        {
            return TryRead(text, out url, out error);
        }
        catch (ArgumentException e)
        {
            // the message names the keyword, never the value
            url = null;
            error = $"invalid database URL: {e.Message} Remove the character (%00 is NUL).";
            return false;
        }
    }

    private static bool TryRead(string text, out DatabaseUrl? url, out string error)
    {
        url = null;
        var rest = text[Schemes.First(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)).Length..];
        // The password may hold an unencoded '?': the query starts after the last '@'.
        var queryStart = rest.IndexOf('?', Math.Max(0, rest.LastIndexOf('@')));
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        if (queryStart >= 0)
            rest = rest[..queryStart];

        var builder = new NpgsqlConnectionStringBuilder();
        // The password may hold '@' or '/' even unencoded: the host starts after the last '@'.
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            builder.Username = Decode(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
                builder.Password = Decode(userInfo[(colon + 1)..]);
        }

        var slash = rest.IndexOf('/');
        var hostAndPort = slash < 0 ? rest : rest[..slash];
        var database = slash < 0 ? "" : Decode(rest[(slash + 1)..]);
        if (database.Length > 0)
            builder.Database = database;
        if (!TrySetHostAndPort(builder, hostAndPort, out error))
            return false;

        string? schema = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            switch (name)
            {
                case "schema":
                    schema = value;
                    break;
                case "sslmode":
                    if (!TryParseSslMode(value, out var sslMode))
                    {
                        error = $"invalid sslmode '{EchoedInput.Of(value)}' in database URL (use disable, allow, prefer, require, verify-ca or verify-full).";
                        return false;
                    }
                    builder.SslMode = sslMode;
                    break;
                case "connect_timeout" when int.TryParse(value, out var seconds) && seconds >= 0:
                    builder.Timeout = seconds;
                    break;
                case "application_name" when System.Text.Encoding.UTF8.GetByteCount(value) <= 63 && !value.Any(char.IsControl):
                    builder.ApplicationName = value;
                    break;
                case "host" when IsHostName(value):
                    builder.Host = value;
                    break;
                case "port" when int.TryParse(value, out var port) && port is > 0 and < 65536:
                    builder.Port = port;
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                case var ignored when IgnoredParameters.Contains(ignored):
                    break;
                case "host" or "port" or "connect_timeout" or "application_name":
                    error = $"invalid {name} '{EchoedInput.Of(value)}' in database URL.";
                    return false;
                default:
                    error = $"unsupported parameter '{EchoedInput.Of(name)}' in database URL (supported: schema, sslmode, connect_timeout, application_name, host, port, sslrootcert).";
                    return false;
            }
        }

        url = new DatabaseUrl(builder, schema);
        error = "";
        return true;
    }

    private static bool TrySetHostAndPort(NpgsqlConnectionStringBuilder builder, string hostAndPort, out string error)
    {
        error = "";
        builder.Host = "localhost";
        if (hostAndPort.Length == 0)
            return true;

        string host = hostAndPort;
        string? port = null;
        if (hostAndPort.StartsWith('['))
        {
            var close = hostAndPort.IndexOf(']');
            if (close < 0)
            {
                error = "invalid IPv6 host in database URL: missing ']'.";
                return false;
            }
            host = hostAndPort[1..close];
            var after = hostAndPort[(close + 1)..];
            if (after.StartsWith(':'))
                port = after[1..];
        }
        else if (!hostAndPort.Contains(',') && hostAndPort.LastIndexOf(':') is var colon and >= 0)
        {
            host = hostAndPort[..colon];
            port = hostAndPort[(colon + 1)..];
        }

        builder.Host = Decode(host);
        if (!IsHostName(builder.Host))
        {
            error = "invalid host in database URL: give a host name or address of at most 255 characters.";
            return false;
        }
        if (port is null || port.Length == 0)
            return true;
        if (!int.TryParse(port, out var number) || number is <= 0 or >= 65536)
        {
            // the text is not echoed: with a malformed URL it may be part of the password
            error = "invalid port in database URL: give a number from 1 to 65535 after the host (and percent-encode @ / ? # in the user and password).";
            return false;
        }
        builder.Port = number;
        return true;
    }

    private static bool IsHostName(string host) => host.Length is > 0 and <= 255 && !host.Any(char.IsControl);

    private static bool TryParseSslMode(string value, out SslMode mode)
    {
        mode = value switch
        {
            "disable" => SslMode.Disable,
            "allow" => SslMode.Allow,
            "prefer" => SslMode.Prefer,
            "require" => SslMode.Require,
            "verify-ca" => SslMode.VerifyCA,
            "verify-full" => SslMode.VerifyFull,
            _ => (SslMode)(-1),
        };
        return mode != (SslMode)(-1);
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value);
}
