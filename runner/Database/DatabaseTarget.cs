using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>
/// The database the tool works on: how to connect, and which schema holds the app tables.
/// Built from an Npgsql keyword string or a Prisma-style URL; never prints the password.
/// </summary>
public sealed partial class DatabaseTarget
{
    public const string DefaultAppSchema = "public";

    private DatabaseTarget(NpgsqlConnectionStringBuilder builder, string appSchema)
    {
        builder.ApplicationName ??= "metrics";
        ConnectionString = builder.ConnectionString;
        AppSchema = appSchema;
        Description = $"{builder.Username ?? "(default user)"}@{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username ?? "(default database)"}";
    }

    public string ConnectionString { get; }

    /// <summary>Schema holding "DashboardFact" and "DecisionLog" (the URL's <c>schema</c> parameter).</summary>
    public string AppSchema { get; }

    /// <summary><c>user@host:port/database</c>: safe to print, holds no secret.</summary>
    public string Description { get; }

    /// <summary>
    /// Opens a connection whose server backend gives up soon after this process dies
    /// (<c>client_connection_check_interval</c>), so a killed run rolls back and frees its lock
    /// within seconds instead of when its current statement happens to end.
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "select set_config('client_connection_check_interval', '2s', false) where current_setting('server_version_num')::int >= 140000",
                connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads a connection given as <c>postgres://</c> / <c>postgresql://</c> URL or as an Npgsql
    /// keyword string. <paramref name="appSchema"/>, when given, wins over the URL's <c>schema</c>.
    /// </summary>
    public static bool TryParse(string text, string? appSchema, out DatabaseTarget? target, out string error)
    {
        target = null;
        NpgsqlConnectionStringBuilder builder;
        string? urlSchema = null;
        if (DatabaseUrl.IsUrl(text))
        {
            if (!DatabaseUrl.TryParse(text, out var url, out error))
                return false;
            builder = url!.Builder;
            urlSchema = url.Schema;
        }
        else
        {
            try
            {
                builder = new NpgsqlConnectionStringBuilder(text);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                error = $"invalid connection string: {DescribeKeywordError(text, e)} Use Npgsql keywords (Host=...;Username=...) or a postgres:// URL.";
                return false;
            }
        }

        var schema = appSchema ?? urlSchema ?? DefaultAppSchema;
        if (!IsIdentifier(schema) || schema.Contains('"'))
        {
            error = $"invalid app schema name '{EchoedInput.Of(schema)}'.";
            return false;
        }
        if (builder.Username is { } user && !IsIdentifier(user) || builder.Database is { } database && !IsIdentifier(database))
        {
            error = $"invalid user or database name in the connection (1 to {MaxIdentifierBytes} bytes, no control character).";
            return false;
        }

        target = new DatabaseTarget(builder, schema);
        error = "";
        return true;
    }

    /// <summary>PostgreSQL's longest name (NAMEDATALEN - 1): it would silently cut a longer one.</summary>
    private const int MaxIdentifierBytes = 63;

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && Encoding.UTF8.GetByteCount(name) <= MaxIdentifierBytes && !name.Any(char.IsControl);

    /// <summary>
    /// Npgsql's message names the keyword it could not set. After an unquoted ';' in a password
    /// (<c>Password=ab;cd=e</c>) that "keyword" is a piece of the password: an unknown keyword is
    /// not named when the string holds a password.
    /// </summary>
    private static string DescribeKeywordError(string text, Exception error) =>
        error is ArgumentException { ParamName: { } keyword }
        && PasswordKeyword().IsMatch(text)
        && !new NpgsqlConnectionStringBuilder().ContainsKey(keyword)
            ? "an unknown keyword (not named, as it may be part of the password: quote a password holding ';' or '=', as Password='a;b=c')."
            : error.Message;

    [GeneratedRegex(@"(^|;)\s*(password|pwd)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordKeyword();
}
