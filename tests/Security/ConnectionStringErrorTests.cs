using Metrics.Runner.Database;
using Xunit;

namespace Metrics.Tests.Security;

/// <summary>What a bad keyword string's error message may quote.</summary>
public class Connection_string_errors
{
    [Fact]
    public void Name_a_misspelt_keyword_when_the_string_holds_no_password()
    {
        Assert.False(DatabaseTarget.TryParse("Host=db;Hots=x", null, out _, out var error));

        Assert.Contains("Couldn't set hots", error);
    }

    [Theory]
    [InlineData("Host=db;Password=ab;Secretpart=1;Database=shop")]
    [InlineData("Host=db; PWD = ab;Secretpart=1")]
    public void Do_not_name_an_unknown_keyword_that_may_be_part_of_an_unquoted_password(string connection)
    {
        Assert.False(DatabaseTarget.TryParse(connection, null, out _, out var error));

        Assert.DoesNotContain("secretpart", error, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("invalid connection string: an unknown keyword (not named, as it may be part of the password", error);
    }

    [Fact]
    public void Name_a_known_keyword_with_a_bad_value_even_with_a_password()
    {
        Assert.False(DatabaseTarget.TryParse("Host=db;Password=ab;Port=abc", null, out _, out var error));

        Assert.Contains("Couldn't set port", error);
    }
}
