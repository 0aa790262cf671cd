using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;

namespace Metrics.Tests.Security;

/// <summary>
/// A database set up as docs/runbook.md "Least privilege" says: the app tables owned by the app's
/// login, blocks 1 to 3 of the section run as the superuser (the DBA), and `metrics migrate` run
/// in between as the non-superuser metrics owner, which then owns schemas metrics and
/// metrics_staging and has no more than the daily grants. <see cref="Names"/> maps the
/// document's names to this database's own; dropped with its roles when disposed.
/// </summary>
public sealed class LeastPrivilegeDatabase : IAsyncDisposable
{
    /// <summary>The metrics owner's password, for <c>'change-me'</c> in the document.</summary>
    public const string OwnerPassword = "owner-pw";

    private LeastPrivilegeDatabase(PostgresServer server, IReadOnlyDictionary<string, string> names)
    {
        Server = server;
        Names = names;
    }

    public PostgresServer Server { get; }

    /// <summary>The document's names (shop, app_owner, metrics_owner, metrics_reader, alice, new_dba, bi_reader, bob, 'change-me') and this database's.</summary>
    public IReadOnlyDictionary<string, string> Names { get; }

    public string Name => Names["shop"];
    public string Owner => Names["metrics_owner"];

    /// <summary>The database as the metrics owner (the login that ran migrate).</summary>
    public string OwnerConnectionString => OwnerConnection(Name);

    /// <summary>Another database of the server, e.g. pg_cron's, as the metrics owner.</summary>
    public string OwnerConnection(string database) => Server.ConnectionString(database, Owner, OwnerPassword);

    /// <summary>The database as the superuser.</summary>
    public string AdminConnectionString => Server.ConnectionString(Name);

    public static async Task<LeastPrivilegeDatabase> CreateAsync()
    {
        var server = await PostgresServer.Instance;
        var names = await NewNamesAsync(server);
        var db = new LeastPrivilegeDatabase(server, names);
        try
        {
            await db.MigrateAsTheDocumentSaysAsync();
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database and, for each of the document's names, one of its own (the roles are not created).</summary>
    public static async Task<Dictionary<string, string>> NewNamesAsync(PostgresServer server)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        return new Dictionary<string, string>
        {
            ["shop"] = await server.CreateDatabaseAsync(template: null),
            ["app_owner"] = "app_owner_" + suffix,
            ["metrics_owner"] = "metrics_owner_" + suffix,
            ["metrics_reader"] = "metrics_reader_" + suffix,
            ["alice"] = "alice_" + suffix,
            ["new_dba"] = "new_dba_" + suffix,
            ["bi_reader"] = "bi_reader_" + suffix,
            ["bob"] = "bob_" + suffix,
            ["'change-me'"] = $"'{OwnerPassword}'",
        };
    }

    private async Task MigrateAsTheDocumentSaysAsync()
    {
        var (appOwner, reader) = (Names["app_owner"], Names["metrics_reader"]);
        var grants = RunbookGrants.Read();
        await Server.ExecuteAsync("postgres", $"create role {appOwner} login password 'app-pw'");
        await Server.ExecuteAsync("postgres", $"alter database {Name} owner to {appOwner}");
        await using (var app = new NpgsqlConnection(Server.ConnectionString(Name, appOwner, "app-pw")))
        {
            await app.OpenAsync();
            await app.ExecuteAsync(await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));
        }
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync(RunbookGrants.WithNames(grants.Blocks[0], Names));
        await admin.ExecuteAsync(RunbookGrants.WithNames(grants.Blocks[1], Names));
        var migrated = await CliRun.RunAsync(["migrate", "--connection", OwnerConnectionString, "--reader-role", reader]);
        if (migrated.ExitCode != ExitCodes.Success)
            throw new InvalidOperationException($"metrics migrate as {Owner} failed: {migrated}");
        await admin.ExecuteAsync(RunbookGrants.WithNames(grants.Blocks[2], Names));
    }

    /// <summary>A dashboard session opened in the app table, written as the app does (as the superuser here).</summary>
    public async Task SessionOpenedAsync(string shop, DateTime createdAt)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.ExecuteAsync(
            """
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
            values (@shop, 'dashboard.session.opened', 'ops', jsonb_build_object('openedAt', @openedAt, 'operatorEmail', 'operator@' || @shop),
                    '{"requestId": "r-1", "generatedAt": "2025-01-01T00:00:00Z"}', @createdAt, @createdAt)
            """,
            new { shop, openedAt = createdAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), createdAt = DateTime.SpecifyKind(createdAt, DateTimeKind.Unspecified) });
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DropDatabaseAsync(Name);
        foreach (var role in new[] { "bob", "bi_reader", "alice", "metrics_reader", "metrics_owner", "app_owner", "new_dba" })
        {
            try
            {
                await Server.DropRoleAsync(Names[role]);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist && role == "new_dba")
            {
                // another test class migrated a database meanwhile, which granted this CREATEROLE login
                // EXECUTE there; the role stays until that database is dropped with the server
            }
        }
    }
}
