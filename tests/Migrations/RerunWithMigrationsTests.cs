using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>Repeatable scripts marked <c>-- metrics:rerun-with-migrations</c> (the analysts' grants).</summary>
public class Rerun_with_migrations : IClassFixture<TestDatabase>
{
    private const string CountingGrants =
        """
        -- metrics:rerun-with-migrations
        create table if not exists metrics.grant_runs (views_seen int);
        insert into metrics.grant_runs select count(*) from pg_views where schemaname = 'metrics';
        """;

    private readonly TestDatabase _fixture;

    public Rerun_with_migrations(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Rerun_whenever_another_script_runs_and_only_then()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder()
            .Migration("0001_create_first_view.sql", "create view metrics.first as select 1 as one;")
            .Repeatable("grants.sql", CountingGrants);
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["migrate", "--connection", connection, "--scripts", scripts.Path])).ExitCode);
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["migrate", "--connection", connection, "--scripts", scripts.Path])).ExitCode);

        scripts.Migration("0002_create_second_view.sql", "create view metrics.second as select 2 as two;");
        var status = await CliRun.RunAsync(["status", "--connection", connection, "--scripts", scripts.Path]);
        var migrate = await CliRun.RunAsync(["migrate", "--connection", connection, "--scripts", scripts.Path]);

        Assert.Contains("0002_create_second_view.sql (versioned)", status.Output);
        Assert.Contains("grants.sql (repeatable)", status.Output);
        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        await using var db = new NpgsqlConnection(connection);
        // first migrate: ran after 0001 (1 view); second migrate: nothing pending, not run; third: after 0002 (2 views)
        Assert.Equal([1, 2], await db.QueryAsync<int>("select views_seen from metrics.grant_runs order by views_seen"));
        Assert.Equal(ExitCodes.Success, (await CliRun.RunAsync(["status", "--connection", connection, "--scripts", scripts.Path])).ExitCode);
    }
}
