using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>The migration engine against a real server, through the real command tree, with scripts of the test's own.</summary>
public class Migrate : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public Migrate(TestDatabase fixture) => _fixture = fixture;

    private async Task<string> FreshDatabaseAsync() => _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());

    private static Task<CliRun> RunAsync(string command, string connection, ScriptFolder scripts, params string[] extra) =>
        CliRun.RunAsync([command, "--connection", connection, "--scripts", scripts.Path, .. extra]);

    private static async Task<List<string>> JournalAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        return (await db.QueryAsync<string>("select script_name from metrics.schema_journal order by script_name")).ToList();
    }

    private static async Task<bool> TableExistsAsync(string connection, string table)
    {
        await using var db = new NpgsqlConnection(connection);
        return await db.ExecuteScalarAsync<bool>("select to_regclass(@table) is not null", new { table });
    }

    [Fact]
    public async Task Applies_scripts_in_numeric_order_then_repeatables()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0010_fill_things.sql", "insert into metrics.things values (2), (3);")
            .Migration("0002_create_things.sql", "create table metrics.things (id int primary key);\ninsert into metrics.things values (1);")
            .View("thing_count.sql", "drop view if exists metrics.thing_count;\ncreate view metrics.thing_count as select count(*) as things from metrics.things;");

        var run = await RunAsync("migrate", connection, scripts);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var order = run.Output.Split('\n').Where(l => l.StartsWith("applying")).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(["0002_create_things.sql", "0010_fill_things.sql", "views/thing_count.sql"], order);
        await using var db = new NpgsqlConnection(connection);
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("select things from metrics.thing_count"));
    }

    [Fact]
    public async Task Is_a_no_op_when_run_twice()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0001_create_things.sql", "create table metrics.things (id int);")
            .View("v.sql", "create or replace view metrics.v as select 1 as one;");
        await RunAsync("migrate", connection, scripts);

        var second = await RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("nothing pending", second.Output);
        Assert.DoesNotContain("applying", second.Output);
    }

    [Fact]
    public async Task Rolls_back_a_failing_script_and_keeps_the_earlier_ones()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0001_create_good.sql", "create table metrics.good (id int);")
            .Migration("0002_create_bad.sql", "create table metrics.half (id int);\n\nselect *\n  from metrics.missing_table;")
            .Migration("0003_create_later.sql", "create table metrics.later (id int);");

        var run = await RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.ScriptFailed, run.ExitCode);
        Assert.Contains("script 0002_create_bad.sql failed at line 4", run.Error);
        Assert.Contains("SQLSTATE 42P01", run.Error);
        Assert.Equal(["0001_create_good.sql"], await JournalAsync(connection));
        Assert.True(await TableExistsAsync(connection, "metrics.good"));
        Assert.False(await TableExistsAsync(connection, "metrics.half"));
        Assert.False(await TableExistsAsync(connection, "metrics.later"));
    }

    [Fact]
    public async Task Runs_a_no_transaction_script_outside_a_transaction()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0001_create_table.sql", "create table metrics.t (id int);")
            .Migration("0002_index_table.sql", "-- Needs no transaction: concurrent index build.\n-- metrics:no-transaction\ncreate index concurrently if not exists t_id on metrics.t (id);");

        var run = await RunAsync("migrate", connection, scripts);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.True(await TableExistsAsync(connection, "metrics.t_id"));
    }

    [Fact]
    public async Task Applies_each_script_exactly_once_when_two_runners_start_together()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0001_create_counter.sql", "create table metrics.counter (n int);")
            .Migration("0002_count_slowly.sql", "select pg_sleep(1);\ninsert into metrics.counter values (1);");

        var runs = await Task.WhenAll(RunAsync("migrate", connection, scripts), RunAsync("migrate", connection, scripts));

        Assert.All(runs, run => Assert.True(run.ExitCode == ExitCodes.Success, run.ToString()));
        Assert.Single(runs, run => run.Output.Contains("nothing pending"));
        await using var db = new NpgsqlConnection(connection);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from metrics.counter"));
    }

    [Fact]
    public async Task Gives_up_after_the_lock_timeout_and_names_the_holder()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", "create table metrics.t (id int);");
        await using var holder = new NpgsqlConnection(connection);
        await holder.OpenAsync();
        var holderPid = holder.ProcessID;
        await holder.ExecuteAsync("select pg_advisory_lock(@key)", new { key = Runner.Database.AdvisoryLocks.MigrateKey });

        var run = await RunAsync("migrate", connection, scripts, "--lock-timeout", "1");

        Assert.Equal(ExitCodes.LockTimeout, run.ExitCode);
        Assert.Contains($"backend pid {holderPid}", run.Error);
        Assert.False(await TableExistsAsync(connection, "metrics.t"));
    }

    [Fact]
    public async Task Refuses_to_run_when_an_applied_script_changed()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", "create table metrics.t (id int);");
        await RunAsync("migrate", connection, scripts);
        scripts.Migration("0001_create_t.sql", "create table metrics.t (id bigint);")
            .Migration("0002_create_u.sql", "create table metrics.u (id int);");

        var migrate = await RunAsync("migrate", connection, scripts);
        var status = await RunAsync("status", connection, scripts);

        Assert.Equal(ExitCodes.DriftDetected, migrate.ExitCode);
        Assert.Contains("0001_create_t.sql", migrate.Error);
        Assert.False(await TableExistsAsync(connection, "metrics.u"));
        Assert.Equal(ExitCodes.DriftDetected, status.ExitCode);
        Assert.Contains("drift (1)", status.Output);
    }

    [Fact]
    public async Task Does_not_call_line_ending_changes_drift()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", "create table metrics.t (id int);\nselect 1;\n");
        await RunAsync("migrate", connection, scripts);
        scripts.Migration("0001_create_t.sql", "\uFEFFcreate table metrics.t (id int);   \r\nselect 1;\r\n");

        var status = await RunAsync("status", connection, scripts);

        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
    }

    [Fact]
    public async Task Dry_run_prints_the_substituted_sql_and_changes_nothing()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_v.sql", "create view metrics.v as select count(*) as n from ${app_schema}.\"DashboardFact\";");

        var run = await RunAsync("migrate", connection, scripts, "--dry-run");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("create view metrics.v as select count(*) as n from \"public\".\"DashboardFact\";", run.Output);
        await using var db = new NpgsqlConnection(connection);
        Assert.False(await db.ExecuteScalarAsync<bool>("select exists (select from pg_namespace where nspname = 'metrics')"));
    }

    [Fact]
    public async Task Dry_run_prints_the_whole_repeatable_group_as_one_transaction_and_changes_nothing()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0001_create_t.sql", "create table metrics.t (id int);")
            .Function("one.sql", "create or replace function metrics.one() returns int language sql as $$ select 1 $$;")
            .View("v.sql", "drop view if exists metrics.v;\ncreate view metrics.v as select metrics.one() as one;");
        await RunAsync("migrate", connection, scripts);
        scripts.Migration("0002_create_u.sql", "create table metrics.u (id int);");

        var run = await RunAsync("migrate", connection, scripts, "--dry-run");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var headers = run.Output.Split('\n').Where(line => line.StartsWith("-- ====", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "-- ==== 0002_create_u.sql (versioned, in one transaction) ====",
                "-- ==== the repeatable group: these 2 script(s) run in this order in ONE transaction; if one fails, none of them is applied ====",
                "-- ==== functions/one.sql (repeatable, in the group's transaction) ====",
                "-- ==== views/v.sql (repeatable, in the group's transaction) ====",
            ],
            headers);
        Assert.Contains("-- dry run: 3 script(s) would run; nothing was changed.", run.Output);
        Assert.False(await TableExistsAsync(connection, "metrics.u"));
    }

    [Fact]
    public async Task Stops_before_anything_when_the_app_tables_are_missing()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync(template: null));
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", "create table metrics.t (id int);");

        var run = await RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.AppTablesMissing, run.ExitCode);
        Assert.Contains("run the app's Prisma migrations", run.Error);
        Assert.Contains("\"DashboardFact\" and \"DecisionLog\"", run.Error);
        await using var db = new NpgsqlConnection(connection);
        Assert.False(await db.ExecuteScalarAsync<bool>("select exists (select from pg_namespace where nspname = 'metrics')"));
    }

    [Fact]
    public async Task Finds_the_app_tables_in_the_schema_the_url_names()
    {
        var name = await _fixture.CreateSiblingAsync(template: null);
        await _fixture.Server.ExecuteAsync(name, "create schema app; set search_path = app; " + await File.ReadAllTextAsync(TestFiles.Path("fixtures", "app_tables.sql")));
        var url = $"postgresql://{_fixture.Server.AdminUser}:{_fixture.Server.AdminPassword}@{_fixture.Server.Host}:{_fixture.Server.Port}/{name}?schema=app";
        using var scripts = new ScriptFolder().Migration("0001_create_v.sql", "create view metrics.v as select count(*) as n from ${app_schema}.\"DecisionLog\";");

        var run = await CliRun.RunAsync(["migrate", "--scripts", scripts.Path], new Dictionary<string, string> { ["DATABASE_URL"] = url });

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.True(await TableExistsAsync(_fixture.Server.ConnectionString(name), "metrics.v"));
    }

    [Fact]
    public async Task Status_lists_applied_and_pending_scripts_and_exits_non_zero_while_pending()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", "create table metrics.t (id int);");
        await RunAsync("migrate", connection, scripts);
        scripts.Migration("0002_create_u.sql", "create table metrics.u (id int);");

        var pending = await RunAsync("status", connection, scripts);
        await RunAsync("migrate", connection, scripts);
        var upToDate = await RunAsync("status", connection, scripts);

        Assert.Equal(ExitCodes.MigrationsPending, pending.ExitCode);
        Assert.Contains("applied (1):", pending.Output);
        Assert.Contains("0002_create_u.sql (versioned)", pending.Output);
        Assert.Equal(ExitCodes.Success, upToDate.ExitCode);
        Assert.Contains("status:     up to date", upToDate.Output);
    }

    [Fact]
    public async Task Journals_checksum_duration_and_user_for_each_script()
    {
        const string sql = "create table metrics.t (id int);\nselect pg_sleep(0.3);";
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", sql);
        await RunAsync("migrate", connection, scripts);

        await using var db = new NpgsqlConnection(connection);
        var row = await db.QuerySingleAsync<(string Kind, string Checksum, int Duration, string By, double AgeSeconds)>(
            "select script_kind, checksum, duration_ms, applied_by, extract(epoch from now() - applied_at)::float8 from metrics.schema_journal");
        Assert.Equal("versioned", row.Kind);
        Assert.Equal(Runner.Migrations.ScriptChecksum.Compute(sql), row.Checksum);
        Assert.InRange(row.Duration, 300, 60_000);
        Assert.Equal(_fixture.Server.AdminUser, row.By);
        Assert.InRange(row.AgeSeconds, 0, 120);
    }

    [Fact]
    public async Task Runs_semicolons_hidden_in_strings_dollar_quotes_and_comments_as_written()
    {
        // DbUp's PostgreSQL splitter cuts scripts into statements; these are the cases ours handled
        const string sql = """
            -- a comment; with a semicolon, and $$ too
            /* block ; /* nested ; */ still ; */
            create table metrics.notes (note text);
            insert into metrics.notes values ('a;b'), ('$$ is not a quote here;'), (E'it\'s;'), ('it''s; fine'), ($tag$dollar; 'quoted'$tag$);
            create function metrics.note() returns text language plpgsql as $body$
            begin
                -- a semicolon; in a comment in a body
                return 'x; $$ y';
            end
            $body$;
            do $$ begin insert into metrics.notes values ('from a do; block'); end $$;
            insert into metrics.notes select metrics.note();
            -- a trailing comment; after the last statement
            """;
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_notes.sql", sql);

        var run = await RunAsync("migrate", connection, scripts);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        await using var db = new NpgsqlConnection(connection);
        Assert.Equal(
            ["$$ is not a quote here;", "a;b", "dollar; 'quoted'", "from a do; block", "it's;", "it's; fine", "x; $$ y"],
            await db.QueryAsync<string>("select note from metrics.notes order by note collate \"C\""));
    }

    [Fact]
    public async Task Names_the_script_line_of_an_error_after_dollar_quoted_bodies()
    {
        const string sql = """
            create function metrics.one() returns int language sql as $$
                select 1;
            $$;
            do $$ begin perform 1; end $$; select 2;

            select metrics.one(),
                   no_such_column
            from metrics.missing;
            """;
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_one.sql", sql);

        var run = await RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.ScriptFailed, run.ExitCode);
        Assert.Contains("script 0001_create_one.sql failed at line 8: relation \"metrics.missing\" does not exist (SQLSTATE 42P01)", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Prints_progress_without_dbup_log_lines_unless_verbose()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder().Migration("0001_create_t.sql", "create table metrics.t (id int);");

        var quiet = await RunAsync("migrate", connection, scripts);
        scripts.Migration("0002_create_u.sql", "create table metrics.u (id int);");
        var verbose = await RunAsync("migrate", connection, scripts, "--verbose");

        Assert.True(quiet.ExitCode == ExitCodes.Success, quiet.ToString());
        var lines = quiet.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("migrating ", lines[0]);
        Assert.Matches(@"^applying 0001_create_t\.sql \.\.\. \d+ ms$", lines[1]);
        Assert.Matches(@"^applied 1 script\(s\) in \d+ ms\.$", lines[2]);
        Assert.Equal("", quiet.Error);
        Assert.DoesNotContain("dbup:", verbose.Output);
        Assert.Contains("dbup: Executing Database Server script '0002_create_u.sql'", verbose.Error);
    }

    [Fact]
    public async Task Refuses_an_unknown_variable_before_any_script_runs()
    {
        var connection = await FreshDatabaseAsync();
        using var scripts = new ScriptFolder()
            .Migration("0001_create_t.sql", "create table metrics.t (id int);")
            .Migration("0002_create_v.sql", "create view metrics.v as select 1 from ${app_schmea}.\"DashboardFact\";");

        var run = await RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.ScriptFailed, run.ExitCode);
        Assert.Contains("script 0002_create_v.sql uses unknown variable ${app_schmea} (known: app_schema, reader_role). Nothing was applied.", run.Error);
        Assert.False(await TableExistsAsync(connection, "metrics.t"));
    }
}
