using Dapper;
using Metrics.Runner;
using Metrics.Runner.Migrations;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>
/// Scripts for the repeatable group's tests: each repeatable script logs itself into
/// <c>metrics.group_runs</c> with the id of the transaction it ran in, so a test sees which ran,
/// in what order, and in how many transactions.
/// </summary>
internal static class GroupScripts
{
    public const string CreateRunLog =
        """
        create table metrics.group_runs (
            run_order bigserial primary key,
            transaction_id bigint not null default txid_current(),
            script_name text not null
        );
        create table metrics.things (id int primary key);
        """;

    /// <summary>One script of each repeatable folder, named so that file-name order alone would run them wrongly.</summary>
    public static ScriptFolder EveryFolder(this ScriptFolder scripts, int answer = 1) => scripts
        .Migration("0001_create_group_runs.sql", CreateRunLog)
        .Grant("a_readers.sql", Logged("grants/a_readers.sql", "grant select on metrics.answer_view to public;"))
        .Trigger("b_things.sql", Logged("triggers/b_things.sql",
            """
            create or replace function metrics.things_changed() returns trigger language plpgsql as $$
            begin
                return new;
            end
            $$;
            create or replace trigger things_changed before insert on metrics.things for each row execute function metrics.things_changed();
            """))
        .Procedure("c_call_answer.sql", Logged("procedures/c_call_answer.sql",
            "create or replace procedure metrics.call_answer() language sql as $$ select metrics.answer() $$;"))
        .View("d_answer_view.sql", AnswerView())
        .Function("e_answer.sql", Answer(answer));

    public static string Answer(int answer) =>
        Logged("functions/e_answer.sql", $"create or replace function metrics.answer() returns int language sql as $$ select {answer} $$;");

    public static string AnswerView(string from = "") =>
        Logged("views/d_answer_view.sql", $"drop view if exists metrics.answer_view;\ncreate view metrics.answer_view as\nselect metrics.answer() as answer{from};");

    public static readonly string[] Order =
        ["functions/e_answer.sql", "views/d_answer_view.sql", "procedures/c_call_answer.sql", "triggers/b_things.sql", "grants/a_readers.sql"];

    public static string Logged(string name, string sql) => $"{sql}\ninsert into metrics.group_runs (script_name) values ('{name}');";

    public static List<string> Applying(this CliRun run) =>
        run.Output.Split('\n').Where(line => line.StartsWith("applying ", StringComparison.Ordinal)).Select(line => line.Split(' ')[1]).ToList();

    public static Task<CliRun> RunAsync(string command, string connection, ScriptFolder scripts, params string[] extra) =>
        CliRun.RunAsync([command, "--connection", connection, "--scripts", scripts.Path, .. extra]);

    /// <summary>Every column of every journal row, as text, in name order.</summary>
    public static async Task<List<string>> JournalAsync(string connection, string kind)
    {
        await using var db = new NpgsqlConnection(connection);
        return (await db.QueryAsync<string>(
            "select journal::text from metrics.schema_journal as journal where script_kind = @kind order by script_name", new { kind })).ToList();
    }
}

/// <summary>A view's file is edited after the group was applied.</summary>
public class A_changed_view_file : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public A_changed_view_file(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Reruns_the_whole_group_and_the_grants_in_folder_order_in_one_transaction()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder().EveryFolder();
        var first = await GroupScripts.RunAsync("migrate", connection, scripts);
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        scripts.View("d_answer_view.sql", GroupScripts.AnswerView(from: " from metrics.things"));

        var status = await GroupScripts.RunAsync("status", connection, scripts);
        var migrate = await GroupScripts.RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.MigrationsPending, status.ExitCode);
        Assert.Contains("pending (5):", status.Output);
        Assert.Contains("views/d_answer_view.sql (repeatable, changed)", status.Output);
        Assert.Contains("grants/a_readers.sql (repeatable, with the group)", status.Output);
        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.Equal(GroupScripts.Order, migrate.Applying());
        await using var db = new NpgsqlConnection(connection);
        var runs = (await db.QueryAsync<(long TransactionId, string ScriptName)>(
            "select transaction_id, script_name from metrics.group_runs order by run_order")).ToList();
        Assert.Equal([.. GroupScripts.Order, .. GroupScripts.Order], runs.Select(run => run.ScriptName));
        Assert.Single(runs.Skip(5).Select(run => run.TransactionId).Distinct());
        Assert.NotEqual(runs[0].TransactionId, runs[5].TransactionId);
        // the view was dropped and created again: only the grants, run again after it, let readers in
        Assert.True(await db.ExecuteScalarAsync<bool>("select has_table_privilege('public', 'metrics.answer_view', 'select')"));
        Assert.Equal(ExitCodes.Success, (await GroupScripts.RunAsync("status", connection, scripts)).ExitCode);
    }
}

/// <summary>A script of the repeatable group fails after other repeatable scripts of the same run succeeded.</summary>
public class A_failing_repeatable_script : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public A_failing_repeatable_script(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Rolls_back_every_repeatable_change_of_the_run_and_keeps_the_versioned_scripts_before_it()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder().EveryFolder(answer: 1);
        Assert.Equal(ExitCodes.Success, (await GroupScripts.RunAsync("migrate", connection, scripts)).ExitCode);
        var repeatableRows = await GroupScripts.JournalAsync(connection, "repeatable");
        // a new migration, a changed function, and a changed view that fails on its fourth line
        scripts.Migration("0002_create_kept.sql", "create table metrics.kept (id int);")
            .Function("e_answer.sql", GroupScripts.Answer(2))
            .View("d_answer_view.sql", GroupScripts.AnswerView(from: "\nfrom metrics.missing_table"));

        var run = await GroupScripts.RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.ScriptFailed, run.ExitCode);
        Assert.Contains("script views/d_answer_view.sql failed at line 4: relation \"metrics.missing_table\" does not exist (SQLSTATE 42P01)", run.Error);
        Assert.Contains("The repeatable group was rolled back", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["0002_create_kept.sql", "functions/e_answer.sql", "views/d_answer_view.sql"], run.Applying());
        Assert.Contains("applied 1 script(s) before the failure.", run.Output);
        await using var db = new NpgsqlConnection(connection);
        Assert.True(await db.ExecuteScalarAsync<bool>("select to_regclass('metrics.kept') is not null"));
        Assert.Equal(["0001_create_group_runs.sql", "0002_create_kept.sql"],
            await db.QueryAsync<string>("select script_name from metrics.schema_journal where script_kind = 'versioned' order by script_name"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select metrics.answer()"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select answer from metrics.answer_view"));
        Assert.Equal(repeatableRows, await GroupScripts.JournalAsync(connection, "repeatable"));
        Assert.Equal(5, await db.ExecuteScalarAsync<int>("select count(*) from metrics.group_runs"));
    }
}

/// <summary>Migrate runs again with no script added or changed.</summary>
public class Nothing_changed : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public Nothing_changed(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Runs_nothing_and_status_says_up_to_date()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder().EveryFolder();
        Assert.Equal(ExitCodes.Success, (await GroupScripts.RunAsync("migrate", connection, scripts)).ExitCode);
        var journal = await GroupScripts.JournalAsync(connection, "repeatable");

        var migrate = await GroupScripts.RunAsync("migrate", connection, scripts);
        var status = await GroupScripts.RunAsync("status", connection, scripts);

        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.Contains("nothing pending", migrate.Output);
        Assert.Empty(migrate.Applying());
        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
        Assert.Contains("pending (0):", status.Output);
        Assert.Contains("status:     up to date", status.Output);
        Assert.Equal(journal, await GroupScripts.JournalAsync(connection, "repeatable"));
        await using var db = new NpgsqlConnection(connection);
        Assert.Equal(5, await db.ExecuteScalarAsync<int>("select count(*) from metrics.group_runs"));
    }
}

/// <summary>A database migrated for the first time, with a script in every repeatable folder.</summary>
public class A_fresh_database : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public A_fresh_database(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Gets_each_folder_in_order_so_views_use_functions_and_grants_find_the_views()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder().EveryFolder(answer: 42);

        var run = await GroupScripts.RunAsync("migrate", connection, scripts);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(["0001_create_group_runs.sql", .. GroupScripts.Order], run.Applying());
        await using var db = new NpgsqlConnection(connection);
        Assert.Equal(42, await db.ExecuteScalarAsync<int>("select answer from metrics.answer_view"));
        Assert.True(await db.ExecuteScalarAsync<bool>("select has_table_privilege('public', 'metrics.answer_view', 'select')"));
        Assert.Equal(GroupScripts.Order.Order(StringComparer.Ordinal),
            await db.QueryAsync<string>("select script_name from metrics.schema_journal where script_kind = 'repeatable' order by script_name collate \"C\""));
    }
}

/// <summary>A repeatable script whose header says <c>-- metrics:no-transaction</c>.</summary>
public class A_repeatable_script_marked_no_transaction : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public A_repeatable_script_marked_no_transaction(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Is_refused_when_the_scripts_load_and_nothing_runs()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder()
            .Migration("0001_create_t.sql", "create table metrics.t (id int);")
            .View("v.sql", $"-- Builds an index concurrently.\n{Script.NoTransactionMarker}\ncreate view metrics.v as select 1 as one;");

        var run = await GroupScripts.RunAsync("migrate", connection, scripts);

        Assert.Equal(ExitCodes.ScriptFailed, run.ExitCode);
        Assert.Contains("repeatable script views/v.sql is marked -- metrics:no-transaction", run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await using var db = new NpgsqlConnection(connection);
        Assert.False(await db.ExecuteScalarAsync<bool>("select exists (select from pg_namespace where nspname = 'metrics')"));
    }
}

/// <summary>
/// A database an earlier release migrated: its journal names the repeatable scripts by bare file
/// name (<c>refresh_procedure.sql</c>, <c>backfill_chatwoot.sql</c>, <c>reader_role.sql</c>).
/// </summary>
public class Repeatable_rows_of_earlier_releases : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public Repeatable_rows_of_earlier_releases(TestDatabase fixture) => _fixture = fixture;

    [Fact]
    public async Task Are_noted_by_status_as_not_shipped_and_never_run()
    {
        var connection = _fixture.Server.ConnectionString(await _fixture.CreateSiblingAsync());
        using var scripts = new ScriptFolder().EveryFolder();
        Assert.Equal(ExitCodes.Success, (await GroupScripts.RunAsync("migrate", connection, scripts)).ExitCode);
        await using var db = new NpgsqlConnection(connection);
        await db.ExecuteAsync(
            """
            insert into metrics.schema_journal (script_name, script_kind, checksum, duration_ms)
            values ('refresh_procedure.sql', 'repeatable', 'c0ffee', 5), ('backfill_chatwoot.sql', 'repeatable', 'c0ffee', 5),
                   ('reader_role.sql', 'repeatable', 'c0ffee', 5)
            """);

        var status = await GroupScripts.RunAsync("status", connection, scripts);
        var migrate = await GroupScripts.RunAsync("migrate", connection, scripts);

        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
        Assert.Contains("note: refresh_procedure.sql is applied but not shipped", status.Output);
        Assert.Contains("note: reader_role.sql is applied but not shipped", status.Output);
        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.Contains("nothing pending", migrate.Output);
    }
}
