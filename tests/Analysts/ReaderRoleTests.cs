using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Analysts;

/// <summary>The read-only role metrics_reader that analysts' BI logins are granted.</summary>
public class Reader_role
{
    [Fact]
    public async Task A_member_reads_every_analyst_view_and_nothing_of_the_raw_tables()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);
        var login = "analyst_" + Guid.NewGuid().ToString("N")[..8];
        await db.Server.ExecuteAsync(db.Name, $"create role {login} login password 'analyst-pw' in role metrics_reader");
        try
        {
            var views = await db.QueryAsync<string>(
                """
                select c.relname from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace
                where n.nspname = 'metrics' and c.relkind in ('v', 'm') order by 1
                """);
            await using var analyst = new NpgsqlConnection(db.Server.ConnectionString(db.Name, login, "analyst-pw"));
            await analyst.OpenAsync();

            foreach (var view in views)
                await analyst.ExecuteScalarAsync<long>($"select count(*) from metrics.{view}");
            Assert.Equal(4, await analyst.ExecuteScalarAsync<long>("select total_active_shops from metrics.activation_current"));
            Assert.True(await analyst.ExecuteScalarAsync<long>("select count(*) from metrics.activation_daily") > 0);

            foreach (var table in new[] { "public.\"DashboardFact\"", "public.\"DecisionLog\"", "metrics.schema_journal", "metrics.refresh_run", "metrics_staging.breach_day" })
            {
                var denied = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteScalarAsync<long>($"select count(*) from {table}"));
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
            }
            var noCall = await Assert.ThrowsAsync<PostgresException>(() => analyst.ExecuteAsync("call metrics.refresh()"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, noCall.SqlState);
        }
        finally
        {
            await db.Server.DropRoleAsync(login);
        }
    }

    [Theory]
    [InlineData("o'brien")]
    [InlineData("Readers")]
    [InlineData("1reader")]
    public async Task A_reader_role_name_that_is_not_a_plain_identifier_is_a_usage_error(string role)
    {
        var run = await CliRun.RunAsync(["migrate", "--connection", "Host=127.0.0.1;Port=1", "--reader-role", role]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--reader-role must be a plain lower-case role name", run.Error);
    }

    [Fact]
    public async Task Migrate_skips_the_role_with_a_warning_when_it_may_not_create_roles_and_a_dba_with_createrole_runs_what_it_says()
    {
        var server = await PostgresServer.Instance;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (owner, dba, analyst, role) = ("owner_" + suffix, "dba_" + suffix, "analyst_" + suffix, "reader_" + suffix);
        await server.ExecuteAsync("postgres", $"create role {owner} login password 'owner-pw' nocreaterole");
        await server.ExecuteAsync("postgres", $"create role {dba} login password 'dba-pw' createrole nosuperuser");
        await server.ExecuteAsync("postgres", $"create role {analyst} login password 'analyst-pw'");
        var database = await server.CreateDatabaseAsync(template: null);
        try
        {
            await server.ExecuteAsync("postgres", $"alter database {database} owner to {owner}");
            var connection = server.ConnectionString(database, owner, "owner-pw");
            await using (var asOwner = new NpgsqlConnection(connection))
            {
                await asOwner.OpenAsync();
                await asOwner.ExecuteAsync(await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));
            }

            var run = await CliRun.RunAsync(["migrate", "--connection", connection, "--reader-role", role]);

            Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
            Assert.Contains($"warning: role \"{role}\" does not exist and {owner} may not create roles", run.Output);
            Assert.Contains($"A DBA runs: CREATE ROLE \"{role}\" NOLOGIN; SELECT metrics.grant_reader_access('{role}');", run.Output);
            await using var admin = new NpgsqlConnection(server.ConnectionString(database));
            Assert.False(await admin.ExecuteScalarAsync<bool>("select exists (select from pg_roles where rolname = @role)", new { role }));
            Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["status", "--connection", connection])).ExitCode);

            // what the warning tells the DBA to run, as a login with CREATEROLE that is no superuser
            await using (var asDba = new NpgsqlConnection(server.ConnectionString(database, dba, "dba-pw")))
            {
                await asDba.OpenAsync();
                await asDba.ExecuteAsync($"CREATE ROLE \"{role}\" NOLOGIN");
                Assert.Equal(16, await asDba.ExecuteScalarAsync<int>($"SELECT metrics.grant_reader_access('{role}')"));
                // it manages roles, not superusers
                var notASuperuser = await Assert.ThrowsAsync<PostgresException>(() => asDba.ExecuteScalarAsync<int>($"SELECT metrics.grant_reader_access('{server.AdminUser}')"));
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, notASuperuser.SqlState);
            }
            Assert.True(await admin.ExecuteScalarAsync<bool>("select has_table_privilege(@role, 'metrics.sla_breach', 'select')", new { role }));
            Assert.False(await admin.ExecuteScalarAsync<bool>("select has_table_privilege(@role, 'metrics.refresh_run', 'select')", new { role }));
            Assert.False(await admin.ExecuteScalarAsync<bool>("select has_table_privilege(@dba, 'metrics.sla_breach', 'select')", new { dba }));

            // a login that may not manage roles cannot use it to grant itself the views
            await using var asAnalyst = new NpgsqlConnection(server.ConnectionString(database, analyst, "analyst-pw"));
            await asAnalyst.OpenAsync();
            var denied = await Assert.ThrowsAsync<PostgresException>(() => asAnalyst.ExecuteScalarAsync<int>($"SELECT metrics.grant_reader_access('{analyst}')"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
            Assert.False(await admin.ExecuteScalarAsync<bool>("select has_table_privilege(@analyst, 'metrics.sla_breach', 'select')", new { analyst }));
        }
        finally
        {
            await server.DropDatabaseAsync(database);
            foreach (var name in new[] { owner, analyst, role })
                await server.DropRoleAsync(name);
            try
            {
                await server.DropRoleAsync(dba);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
                // another test class migrated a database meanwhile, which granted this CREATEROLE login
                // EXECUTE there; the role stays until that database is dropped with the server
            }
        }
    }
}
