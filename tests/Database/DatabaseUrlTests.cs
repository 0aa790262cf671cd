using Metrics.Runner.Database;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Database;

public class Database_urls
{
    [Theory]
    [InlineData("postgresql://app:secret@db.example:6543/shop", "db.example", 6543, "app", "secret", "shop", "public")]
    [InlineData("postgres://app:secret@db.example/shop", "db.example", 5432, "app", "secret", "shop", "public")]
    [InlineData("postgresql://app:p%40ss%3Aw%2Frd%25@localhost:5433/shop?schema=app", "localhost", 5433, "app", "p@ss:w/rd%", "shop", "app")]
    [InlineData("postgresql://us%65r:pa@ss@host/db", "host", 5432, "user", "pa@ss", "db", "public")]
    [InlineData("postgresql://app@[::1]:5434/shop", "::1", 5434, "app", null, "shop", "public")]
    [InlineData("postgresql://app:x@/shop?host=/var/run/postgresql", "/var/run/postgresql", 5432, "app", "x", "shop", "public")]
    [InlineData("postgresql://app:x@h:1/my%20db?schema=my%20schema&connection_limit=5&pool_timeout=10", "h", 1, "app", "x", "my db", "my schema")]
    public void Are_read_like_Prisma_reads_them(string url, string host, int port, string user, string? password, string database, string schema)
    {
        Assert.True(DatabaseTarget.TryParse(url, null, out var target, out var error), error);
        var parsed = new NpgsqlConnectionStringBuilder(target!.ConnectionString);
        Assert.Equal((host, port, user, password, database), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
        Assert.Equal(schema, target.AppSchema);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void Map_sslmode_to_Npgsql(string sslMode, SslMode expected)
    {
        Assert.True(DatabaseTarget.TryParse($"postgresql://u:p@h/d?sslmode={sslMode}", null, out var target, out _));
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(target!.ConnectionString).SslMode);
    }

    [Theory]
    [InlineData("postgresql://u:p@h/d?sslmode=sometimes", "invalid sslmode 'sometimes'")]
    [InlineData("postgresql://u:p@h:99999/d", "invalid port in database URL")]
    [InlineData("postgresql://u:p@h/d?shcema=app", "unsupported parameter 'shcema'")]
    [InlineData("Host=h;Nonsense=1", "invalid connection string")]
    public void Reject_mistakes_with_a_message_naming_them(string text, string expected)
    {
        Assert.False(DatabaseTarget.TryParse(text, null, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("postgresql://u:Sup3r?Secret@h/db")]
    [InlineData("postgresql://u:Secret/db")]
    [InlineData("postgresql://u:Se:cr?et@h/db?sslmode=require")]
    public void Never_echo_a_password_written_without_percent_encoding(string text)
    {
        var parsed = DatabaseTarget.TryParse(text, null, out var target, out var error);

        Assert.DoesNotContain("Secret", error);
        Assert.DoesNotContain("cr?et", error);
        if (parsed)
            Assert.DoesNotContain("Secret", target!.Description);
    }

    [Fact]
    public void Read_an_unencoded_question_mark_in_the_password()
    {
        Assert.True(DatabaseTarget.TryParse("postgresql://u:Sup3r?Secret@h/db?sslmode=require", null, out var target, out _));
        var builder = new NpgsqlConnectionStringBuilder(target!.ConnectionString);
        Assert.Equal(("Sup3r?Secret", "h", "db", SslMode.Require), (builder.Password, builder.Host, builder.Database, builder.SslMode));
    }

    [Fact]
    public void Accept_Npgsql_keyword_strings_with_the_schema_given_apart()
    {
        Assert.True(DatabaseTarget.TryParse("Host=h;Port=7;Username=u;Password=p;Database=d", "app", out var target, out _));
        Assert.Equal("app", target!.AppSchema);
        Assert.Equal("u@h:7/d", target.Description);
    }

    [Fact]
    public void App_schema_option_wins_over_the_url()
    {
        Assert.True(DatabaseTarget.TryParse("postgresql://u:p@h/d?schema=app", "other", out var target, out _));
        Assert.Equal("other", target!.AppSchema);
    }

    [Fact]
    public void Description_never_holds_the_password()
    {
        Assert.True(DatabaseTarget.TryParse("postgresql://u:hunter2@h:5/d", null, out var target, out _));
        Assert.Equal("u@h:5/d", target!.Description);
        Assert.DoesNotContain("hunter2", target.Description);
    }
}
