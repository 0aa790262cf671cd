using Npgsql;

namespace Metrics.Runner.Database;

/// <summary>
/// The database the tool works on: how to connect, and which schema holds the app tables.
/// Built from an Npgsql keyword string or a Prisma-style URL; never prints the password.
/// </summary>
public sealed class DatabaseTarget
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
                error = $"invalid connection string: {e.Message} Use Npgsql keywords (Host=...;Username=...) or a postgres:// URL.";
                return false;
            }
        }

        var schema = appSchema ?? urlSchema ?? DefaultAppSchema;
        if (schema.Length == 0 || schema.Length > 63 || schema.Contains('"') || schema.Contains('\0'))
        {
            error = $"invalid app schema name '{schema}'.";
            return false;
        }

        target = new DatabaseTarget(builder, schema);
        error = "";
        return true;
    }
}
