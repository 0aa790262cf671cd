using Metrics.Runner.Migrations;
using Xunit;

namespace Metrics.Tests.Migrations;

public class Splitting_a_script
{
    [Fact]
    public void Ends_statements_at_top_level_semicolons_and_keeps_their_start_lines()
    {
        var statements = SqlStatementSplitter.Split("create table a (x int);\n\ninsert into a values (1);\nselect 1");
        Assert.Equal([1, 1, 3], statements.Select(s => s.StartLine));
        Assert.Equal(["create table a (x int);", "\n\ninsert into a values (1);", "\nselect 1"], statements.Select(s => s.Sql));
    }

    [Fact]
    public void Ignores_semicolons_in_strings_identifiers_comments_and_dollar_quotes()
    {
        const string sql = """
            select 'a;b', E'it\'s;', "odd;name" from t; -- comment; here
            /* block ; /* nested ; */ still ; */
            create function f() returns int language sql as $body$ select 1; $body$;
            do $$ begin perform 1; end $$;
            """;
        var statements = SqlStatementSplitter.Split(sql);
        Assert.Equal(3, statements.Count);
        Assert.Equal([1, 1, 3], statements.Select(s => s.StartLine));
        Assert.Contains("$body$ select 1; $body$", statements[1].Sql);
    }

    [Fact]
    public void Drops_chunks_that_hold_only_comments()
    {
        var statements = SqlStatementSplitter.Split("-- header\n-- metrics:no-transaction\n\nselect 1;\n-- trailing comment\n");
        Assert.Single(statements);
        Assert.Equal(1, statements[0].StartLine);
    }

    [Fact]
    public void Maps_an_error_position_to_the_script_line()
    {
        var statements = SqlStatementSplitter.Split("select 1;\n\nselect\n  broken here;");
        var second = statements[1];
        var position = second.Sql.IndexOf("broken", StringComparison.Ordinal) + 1;
        Assert.Equal(4, second.LineOf(position));
    }

    [Fact]
    public void Does_not_mistake_positional_parameters_for_dollar_quotes()
    {
        var statements = SqlStatementSplitter.Split("prepare p as select $1; select 2;");
        Assert.Equal(2, statements.Count);
    }
}

public class Script_checksums
{
    [Fact]
    public void Ignore_line_endings_bom_and_trailing_whitespace()
    {
        var original = ScriptChecksum.Compute("create table a (x int);\nselect 1;\n");
        Assert.Equal(original, ScriptChecksum.Compute("\uFEFFcreate table a (x int);  \r\nselect 1;\r\n\r\n"));
    }

    [Fact]
    public void Change_when_the_sql_changes()
    {
        Assert.NotEqual(ScriptChecksum.Compute("select 1;"), ScriptChecksum.Compute("select 2;"));
        Assert.NotEqual(ScriptChecksum.Compute("select  1;"), ScriptChecksum.Compute("select 1;"));
    }
}
