using Metrics.Runner.Database;
using Metrics.Runner.Migrations;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// The one PostgreSQL server of a test run, as <see cref="ServerChoice"/> picks it: the server
/// named by <c>METRICS_TEST_DATABASE_URL</c>, a <c>postgres:15</c> container, or a throwaway
/// <see cref="LocalPostgres"/> started from local binaries. Says which, once. Hands out fresh
/// databases cloned from prepared templates.
/// </summary>
public sealed class PostgresServer
{
    public const string UrlVariable = ServerChoice.UrlVariable;

    /// <summary>Template holding the app tables of db/fixtures/app_tables.sql in schema public.</summary>
    public const string AppTablesTemplate = "metrics_template_app";

    /// <summary>Template holding the app tables and every shipped migration, applied by the real migrator.</summary>
    public const string MigratedTemplate = "metrics_template_migrated";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private readonly SemaphoreSlim _templateLock = new(1, 1);
    private readonly HashSet<string> _templates = [];
    private readonly NpgsqlConnectionStringBuilder _admin;

    private PostgresServer(NpgsqlConnectionStringBuilder admin)
    {
        admin.Pooling = false;
        _admin = admin;
    }

    public static Task<PostgresServer> Instance => Shared.Value;

    /// <summary>Connection string of <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = database }.ConnectionString;

    /// <summary>Connection string of <paramref name="database"/> as another login.</summary>
    public string ConnectionString(string database, string username, string password) =>
        new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = database, Username = username, Password = password }.ConnectionString;

    public string Host => _admin.Host!;
    public int Port => _admin.Port;
    public string AdminUser => _admin.Username!;
    public string AdminPassword => _admin.Password!;

    /// <summary>Creates an empty database, or a copy of <paramref name="template"/>, with a unique name.</summary>
    public async Task<string> CreateDatabaseAsync(string? template = AppTablesTemplate)
    {
        if (template is AppTablesTemplate or MigratedTemplate)
            await EnsureTemplateAsync(AppTablesTemplate, null, BuildAppTablesAsync);
        if (template == MigratedTemplate)
            await EnsureTemplateAsync(MigratedTemplate, AppTablesTemplate, BuildMigratedAsync);
        var name = "test_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync("postgres", $"create database {name}" + (template is null ? "" : $" template {template}"));
        return name;
    }

    public Task DropDatabaseAsync(string name) =>
        ExecuteAsync("postgres", $"drop database if exists {name} with (force)");

    /// <summary>
    /// Drops a role a test created. `metrics migrate` grants every CREATEROLE login USAGE on schema
    /// metrics and EXECUTE on metrics.grant_reader_access (db/grants/reader_role.sql), also in the
    /// databases other tests migrate while the role exists; such a grant makes DROP ROLE fail
    /// (SQLSTATE 2BP01) until it is revoked there, so the drop revokes them (DROP OWNED BY in every
    /// database) and tries again.
    /// </summary>
    public async Task DropRoleAsync(string role)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync("postgres", $"drop role if exists {role}");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist && attempt < 5)
            {
                await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
                await admin.OpenAsync();
                await using var list = new NpgsqlCommand("select datname from pg_database where datallowconn", admin);
                var databases = new List<string>();
                await using (var reader = await list.ExecuteReaderAsync())
                    while (await reader.ReadAsync())
                        databases.Add(reader.GetString(0));
                foreach (var database in databases)
                {
                    try
                    {
                        await ExecuteAsync(database, $"drop owned by {role}");
                    }
                    catch (NpgsqlException)
                    {
                        // a test dropped that database meanwhile
                    }
                }
            }
        }
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task EnsureTemplateAsync(string name, string? basedOn, Func<string, Task> build)
    {
        await _templateLock.WaitAsync();
        try
        {
            if (_templates.Contains(name))
                return;
            await ExecuteAsync("postgres", $"drop database if exists {name}");
            await ExecuteAsync("postgres", $"create database {name}" + (basedOn is null ? "" : $" template {basedOn}"));
            await build(name);
            _templates.Add(name);
        }
        finally
        {
            _templateLock.Release();
        }
    }

    private async Task BuildAppTablesAsync(string database) =>
        await ExecuteAsync(database, await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));

    private async Task BuildMigratedAsync(string database)
    {
        if (!DatabaseTarget.TryParse(ConnectionString(database), null, out var target, out var error))
            throw new InvalidOperationException(error);
        var result = await new Migrator(target!, ScriptSource.Embedded(), TextWriter.Null)
            .MigrateAsync(new MigrateOptions(DryRun: false, LockTimeout: TimeSpan.FromSeconds(60)));
        if (result.Outcome != MigrationOutcome.Succeeded)
            throw new InvalidOperationException($"migrating the test template failed: {result.Error}");
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var choice = ServerChoice.Current;
        TestRunLog.Write($"test server: {choice.Description}");
        switch (choice.Kind)
        {
            case ServerKind.External:
                if (!DatabaseTarget.TryParse(Environment.GetEnvironmentVariable(UrlVariable)!, null, out var target, out var error))
                    throw new InvalidOperationException($"{UrlVariable} is not a valid connection: {error}");
                return new PostgresServer(new NpgsqlConnectionStringBuilder(target!.ConnectionString));
            case ServerKind.Container:
                // set up like the local server (C locale, room for parallel test classes); removed
                // by Testcontainers' resource reaper when the test process ends
                var container = new PostgreSqlBuilder(ServerChoice.ContainerImage)
                    .WithEnvironment("POSTGRES_INITDB_ARGS", "--locale=C --encoding=UTF8")
                    .WithCommand("-c", "max_connections=200")
                    .Build();
                await container.StartAsync();
                return new PostgresServer(new NpgsqlConnectionStringBuilder(container.GetConnectionString()));
            default:
                var local = await LocalPostgres.StartAsync();
                return new PostgresServer(local.AdminConnection);
        }
    }
}
