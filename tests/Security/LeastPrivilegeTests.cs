using Dapper;
using Metrics.Runner;
using Metrics.Runner.Snapshots;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Security;

/// <summary>
/// The roles of docs/runbook.md "Least privilege", created exactly as documented: every command
/// runs as the non-superuser metrics_owner, and an analyst in metrics_reader sees the views only,
/// without the personal data planted in the app rows.
/// </summary>
public class Least_privilege
{
    [Fact]
    public async Task Every_command_runs_as_the_documented_login_and_the_reader_sees_only_views_without_personal_data()
    {
        var server = await PostgresServer.Instance;
        var names = await LeastPrivilegeDatabase.NewNamesAsync(server);
        var (database, appOwner, owner, reader, alice) = (names["shop"], names["app_owner"], names["metrics_owner"], names["metrics_reader"], names["alice"]);
        var grants = RunbookGrants.Read();
        await using var admin = new NpgsqlConnection(server.ConnectionString(database));
        await admin.OpenAsync();
        try
        {
            // the app's database, as its Prisma migrations leave it: owned by the app's login
            await server.ExecuteAsync("postgres", $"create role {appOwner} login password 'app-pw'; create role {alice} login password 'alice-pw'");
            await server.ExecuteAsync("postgres", $"alter database {database} owner to {appOwner}");
            await using (var app = new NpgsqlConnection(server.ConnectionString(database, appOwner, "app-pw")))
            {
                await app.OpenAsync();
                await app.ExecuteAsync(await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));
                await PersonalData.PlantAsync(app);
            }

            await admin.ExecuteAsync(RunbookGrants.WithNames(grants.Blocks[0], names));
            var connection = server.ConnectionString(database, owner, LeastPrivilegeDatabase.OwnerPassword);
            var migrateArgs = new[] { "migrate", "--connection", connection, "--reader-role", reader };

            // without the app tables' owner, the first migrate stops at the indexes of 0007, as documented
            await admin.ExecuteAsync($"grant create on database {database} to {owner}");
            var refused = await CliRun.RunAsync(migrateArgs);
            Assert.True(refused.ExitCode == ExitCodes.ScriptFailed, refused.ToString());
            Assert.Contains("0007_create_app_table_indexes.sql failed at line 12: must be owner of table DashboardFact (SQLSTATE 42501)", refused.Error);

            await admin.ExecuteAsync(RunbookGrants.WithNames(grants.Blocks[1], names));
            var migrated = await CliRun.RunAsync(migrateArgs);
            Assert.True(migrated.ExitCode == ExitCodes.Success, migrated.ToString());
            Assert.DoesNotContain("warning", migrated.Output);
            await admin.ExecuteAsync(RunbookGrants.WithNames(grants.Blocks[2], names));

            Assert.Equal((false, false, false, false), await admin.QuerySingleAsync<(bool, bool, bool, bool)>(
                """
                select r.rolsuper, r.rolcreaterole, pg_has_role(r.oid, @appOwner, 'usage'),
                       has_database_privilege(r.oid, current_database(), 'create')
                from pg_roles as r where r.rolname = @owner
                """,
                new { owner, appOwner }));
            Assert.Equal(0, await admin.ExecuteScalarAsync<int>(
                "select count(*)::int from pg_namespace as n where n.nspname in ('metrics', 'metrics_staging') and n.nspowner <> to_regrole(@owner)",
                new { owner }));

            var snapshotFolder = Directory.CreateTempSubdirectory("metrics-snapshot-").FullName;
            var twoDaysAgo = DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd");
            string[][] daily =
            [
                ["status", "--connection", connection],
                ["refresh", "--connection", connection],
                ["refresh", "--connection", connection, "--full", "--json"],
                ["refresh", "--connection", connection, "--backfill-from", twoDaysAgo],
                ["backfill-chatwoot", "--connection", connection, "--dry-run"],
                ["backfill-chatwoot", "--connection", connection],
                ["refresh", "--connection", connection],
                ["snapshot", "--connection", connection, "--out", snapshotFolder],
                ["migrate", "--connection", connection, "--reader-role", reader],
            ];
            foreach (var args in daily)
            {
                var run = await CliRun.RunAsync(args, clock: TimeProvider.System);
                Assert.True(run.ExitCode == ExitCodes.Success, $"metrics {string.Join(' ', args.Where(a => a != connection))}: {run}");
            }
            Assert.Equal(1, await admin.ExecuteScalarAsync<int>(
                """select count(*)::int from "DashboardFact" where "factType" = 'chatwoot.escalations' and value -> 0 ? 'createdAt'"""));
            Assert.Equal(3, await admin.ExecuteScalarAsync<int>(
                """select count(distinct "factType")::int from "DashboardFact" where "shopDomain" = '__aggregate__'"""));
            Directory.Delete(snapshotFolder, recursive: true);

            await admin.ExecuteAsync(RunbookGrants.WithNames(grants.AnalystGrant, names));
            await using var analyst = new NpgsqlConnection(server.ConnectionString(database, alice, "alice-pw"));
            await analyst.OpenAsync();
            var seen = string.Concat((await ViewSnapshot.ReadAllAsync(analyst)).Select(view => view.Text));
            Assert.Contains("s1.myshopify.com", seen);
            Assert.DoesNotContain(PersonalData.Marker, seen);

            var hidden = (await admin.QueryAsync<string>(
                """
                select format('%I.%I', n.nspname, c.relname)
                from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace
                where (n.nspname = 'metrics_staging' and c.relkind in ('r', 'v', 'm', 'p'))
                   or (n.nspname = 'metrics' and c.relkind in ('r', 'p'))
                   or (n.nspname = 'public' and c.relkind = 'r')
                order by 1
                """)).ToList();
            foreach (var table in new[] { "metrics_staging.session_day", "metrics_staging.decision_day", "metrics_staging.breach_day",
                         "metrics_staging.anomaly_day", "metrics_staging.parse_issue", "metrics_staging.changed_day",
                         "metrics_staging.shop_activation", "metrics.schema_journal", "metrics.refresh_run", "public.\"DashboardFact\"", "public.\"DecisionLog\"" })
                Assert.Contains(table, hidden);
            foreach (var table in hidden)
            {
                var denied = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteScalarAsync<long>($"select count(*) from {table}"));
                Assert.True(denied.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{table}: {denied.SqlState}");
            }
            foreach (var call in new[] { "call metrics.refresh()", "select * from metrics.backfill_chatwoot(true)", "select * from metrics.backfill_chatwoot_changes()" })
            {
                var denied = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync(call));
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
            }
        }
        finally
        {
            await admin.CloseAsync();
            await server.DropDatabaseAsync(database);
            foreach (var role in new[] { alice, reader, owner, appOwner })
                await server.DropRoleAsync(role);
        }
    }

    [Fact]
    public async Task A_dba_login_created_after_migrate_grants_a_reader_role_once_the_metrics_owner_ran_the_documented_grants()
    {
        await using var db = await LeastPrivilegeDatabase.CreateAsync();
        var grants = RunbookGrants.Read();
        var ownerGrants = RunbookGrants.Statements(RunbookGrants.WithNames(grants.Blocks[3], db.Names));
        var dbaStatements = RunbookGrants.Statements(RunbookGrants.WithNames(grants.Blocks[4], db.Names));
        var (newDba, biReader, bob) = (db.Names["new_dba"], db.Names["bi_reader"], db.Names["bob"]);
        var call = Assert.Single(dbaStatements, statement => statement.Contains("metrics.grant_reader_access", StringComparison.Ordinal));
        Assert.Equal(2, ownerGrants.Count);

        // a DBA login that is no superuser, given CREATEROLE after migrate ran, and an analyst login
        await db.Server.ExecuteAsync("postgres", $"create role {newDba} login password 'dba-pw' createrole nosuperuser; create role {bob} login password 'bob-pw'");
        await using var admin = new NpgsqlConnection(db.AdminConnectionString);
        await using var owner = new NpgsqlConnection(db.OwnerConnectionString);
        await using var dba = new NpgsqlConnection(db.Server.ConnectionString(db.Name, newDba, "dba-pw"));
        await Task.WhenAll(admin.OpenAsync(), owner.OpenAsync(), dba.OpenAsync());
        Assert.False(await owner.ExecuteScalarAsync<bool>("select rolsuper or rolcreaterole from pg_roles where rolname = current_user"));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => dba.ExecuteScalarAsync<int>(call));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Equal("permission denied for schema metrics", refused.MessageText);

        // each of the owner's statements is needed: with the other one alone the call is still refused
        foreach (var missing in ownerGrants)
        {
            var others = ownerGrants.Where(grant => grant != missing).ToList();
            foreach (var grant in others)
                await owner.ExecuteAsync(grant);
            var stillRefused = await Assert.ThrowsAsync<PostgresException>(() => dba.ExecuteScalarAsync<int>(call));
            Assert.True(stillRefused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"without `{missing}`: {stillRefused.MessageText}");
            foreach (var grant in others)
                await owner.ExecuteAsync(RunbookGrants.Revoke(grant));
        }

        // block 4 as the metrics owner (no superuser), then block 5 as the new DBA login
        foreach (var grant in ownerGrants)
            await owner.ExecuteAsync(grant);
        var views = await admin.ExecuteScalarAsync<int>("select count(*)::int from pg_class where relnamespace = 'metrics'::regnamespace and relkind in ('v', 'm')");
        foreach (var statement in dbaStatements)
        {
            if (statement == call)
                Assert.Equal(views, await dba.ExecuteScalarAsync<int>(statement));
            else
                await dba.ExecuteAsync(statement);
        }
        Assert.True(views > 0);

        // USAGE on the schema lets the DBA login read nothing; the analyst in its role reads the views only
        var dbaDenied = await Assert.ThrowsAsync<PostgresException>(() => dba.ExecuteScalarAsync<long>("select count(*) from metrics.sla_breach"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, dbaDenied.SqlState);
        Assert.True(await admin.ExecuteScalarAsync<bool>("select pg_has_role(@bob, @biReader, 'member')", new { bob, biReader }));
        await db.SessionOpenedAsync("a.myshopify.com", DateTime.UtcNow.AddDays(-2));
        var refreshed = await CliRun.RunAsync(["refresh", "--connection", db.OwnerConnectionString], clock: TimeProvider.System);
        Assert.True(refreshed.ExitCode == ExitCodes.Success, refreshed.ToString());
        await using var analyst = new NpgsqlConnection(db.Server.ConnectionString(db.Name, bob, "bob-pw"));
        await analyst.OpenAsync();
        Assert.Equal(views, (await ViewSnapshot.ReadAllAsync(analyst)).Count);
        Assert.Equal(1, await analyst.ExecuteScalarAsync<long>("select total_active_shops from metrics.activation_current"));
        foreach (var table in new[] { "metrics.refresh_run", "metrics_staging.breach_day", "public.\"DecisionLog\"" })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteScalarAsync<long>($"select count(*) from {table}"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        }
    }
}
