using Metrics.Runner.Migrations;
using Xunit;

namespace Metrics.Tests.Migrations;

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
