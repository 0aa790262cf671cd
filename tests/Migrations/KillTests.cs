using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>A migrate process killed with SIGKILL mid-script leaves the last fully applied script, and the next run completes.</summary>
public class Killed_migrate : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public Killed_migrate(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Leaves_the_last_fully_applied_script_and_the_next_run_completes()
    {
        var connection = _fixture.ConnectionString;
        await using var db = new NpgsqlConnection(connection);
        await db.ExecuteAsync("create table public.go_slow ()");
        // 0002 sleeps while public.go_slow exists: long enough to be killed the first time.
        using var scripts = new ScriptFolder()
            .Migration("0001_create_first.sql", "create table metrics.first (id int);")
            .Migration("0002_create_slow.sql",
                "create table metrics.slow (id int);\nselect pg_sleep(case when to_regclass('public.go_slow') is null then 0 else 120 end);")
            .Migration("0003_create_last.sql", "create table metrics.last (id int);");

        using (var migrate = MetricsProcess.Start("migrate", "--connection", connection, "--scripts", scripts.Path))
        {
            await WaitUntilAsync(db, "select exists (select from pg_stat_activity where query like '%pg_sleep(case%' and state = 'active' and pid <> pg_backend_pid())");
            migrate.Kill(entireProcessTree: true);
            await migrate.WaitForExitAsync();
        }
        await db.ExecuteAsync("drop table public.go_slow");

        Assert.Equal(["0001_create_first.sql"], await db.QueryAsync<string>("select script_name from metrics.schema_journal"));
        Assert.False(await db.ExecuteScalarAsync<bool>("select to_regclass('metrics.slow') is not null"));

        var next = await CliRun.RunAsync(["migrate", "--connection", connection, "--scripts", scripts.Path, "--lock-timeout", "60"]);

        Assert.True(next.ExitCode == ExitCodes.Success, next.ToString());
        Assert.Equal(["0001_create_first.sql", "0002_create_slow.sql", "0003_create_last.sql"],
            await db.QueryAsync<string>("select script_name from metrics.schema_journal order by script_name"));
    }

    private static async Task WaitUntilAsync(NpgsqlConnection db, string condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await db.ExecuteScalarAsync<bool>(condition))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"condition never held: {condition}");
            await Task.Delay(100);
        }
    }
}
