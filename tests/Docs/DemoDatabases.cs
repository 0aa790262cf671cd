using Dapper;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Docs;

/// <summary>
/// The demo data of db/samples/demo_data.sql, loaded as `./build.sh demo` loads it but as of a fixed
/// day, migrated and refreshed as of a fixed instant, in each state a doc's example can name; read
/// through a login of the analysts' role metrics_reader. One database per state, made on first use
/// and shared by the test class.
/// </summary>
public sealed class DemoDatabases : IAsyncLifetime
{
    /// <summary>The demo's "today": its rows are the 42 UTC days before this midnight.</summary>
    public const string Today = "2026-11-23T00:00:00";

    /// <summary>The refresh's as-of instant: the nightly run of <see cref="Today"/>, window [2026-11-16, 2026-11-23).</summary>
    public const string AsOf = "2026-11-23T02:00:00Z";

    /// <summary>The states an example names in its marker, <c>&lt;!-- example: demo --&gt;</c>, and how each is reached.</summary>
    private static readonly Dictionary<string, Func<MetricsDatabase, Task>> States = new()
    {
        ["demo"] = _ => Task.CompletedTask,
        ["demo after backfill-chatwoot"] = async db =>
        {
            await using var connection = await db.OpenAsync();
            await connection.ExecuteAsync("select metrics.backfill_chatwoot(dry_run => false)");
            await db.RefreshAsync(AsOf, connection);
        },
    };

    private readonly Dictionary<string, Task<MetricsDatabase>> _databases = [];
    private readonly string _login = "docs_reader_" + Guid.NewGuid().ToString("N")[..8];
    private const string Password = "docs-reader-pw";

    public static IReadOnlyCollection<string> StateNames => States.Keys;

    public async Task InitializeAsync()
    {
        // the plain demo first: migrating its template creates metrics_reader
        var demo = _databases["demo"] = CreateAsync(States["demo"]);
        await (await demo).Server.ExecuteAsync("postgres", $"create role {_login} login password '{Password}' in role metrics_reader");
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _databases.Values)
            await (await database).DisposeAsync();
        await (await PostgresServer.Instance).DropRoleAsync(_login);
    }

    /// <summary>A connection as the analysts' role to the database in <paramref name="state"/>, in UTC and ISO date style.</summary>
    public async Task<NpgsqlConnection> OpenAsReaderAsync(string state)
    {
        if (!States.ContainsKey(state))
            throw new ArgumentException($"unknown data state '{state}' (known: {string.Join(", ", States.Keys)})", nameof(state));
        Task<MetricsDatabase> database;
        lock (_databases)
        {
            if (!_databases.TryGetValue(state, out database!))
                _databases[state] = database = CreateAsync(States[state]);
        }
        var db = await database;
        var connection = new NpgsqlConnection(db.Server.ConnectionString(db.Name, _login, Password));
        await connection.OpenAsync();
        await connection.ExecuteAsync("set timezone = 'UTC'; set datestyle = 'ISO, YMD'; set intervalstyle = 'postgres'");
        return connection;
    }

    private static async Task<MetricsDatabase> CreateAsync(Func<MetricsDatabase, Task> reachState)
    {
        var db = await MetricsDatabase.CreateAsync();
        await using (var connection = await db.OpenAsync())
        {
            await connection.ExecuteAsync("select set_config('demo.today', @Today, false)", new { Today });
            var script = await File.ReadAllTextAsync(TestFiles.Path("samples", "demo_data.sql"));
            await connection.ExecuteAsync(script.Replace("${app_schema}", "\"public\""), commandTimeout: 300);
            await db.RefreshAsync(AsOf, connection);
        }
        await reachState(db);
        return db;
    }
}
