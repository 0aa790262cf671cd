using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary>Bad connections end in one line that says what to do, the right exit code, and never the password.</summary>
public class Connection_errors : IClassFixture<TestDatabase>
{
    private readonly TestDatabase _fixture;

    public Connection_errors(TestDatabase fixture) => _fixture = fixture;

    private string Url(string user, string password, string database, int? port = null) =>
        $"postgresql://{user}:{password}@{_fixture.Server.Host}:{port ?? _fixture.Server.Port}/{database}";

    [Fact]
    public async Task A_wrong_password_gives_one_line_without_the_password()
    {
        var run = await CliRun.RunAsync(["status", "--connection", Url(_fixture.Server.AdminUser, "Wr0ng%21Secret", _fixture.Name)]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        Assert.StartsWith("error: authentication failed for postgres@", run.Error);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("Wr0ng", run.Error + run.Output);
    }

    [Fact]
    public async Task A_missing_database_is_named()
    {
        var run = await CliRun.RunAsync(["status", "--connection", Url(_fixture.Server.AdminUser, _fixture.Server.AdminPassword, "no_such_db")]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        Assert.Contains("database missing", run.Error);
        Assert.Contains("/no_such_db", run.Error);
        Assert.DoesNotContain(_fixture.Server.AdminPassword, run.Error);
    }

    [Fact]
    public async Task An_unreachable_host_says_to_check_host_and_port()
    {
        var run = await CliRun.RunAsync(["migrate", "--connection", $"postgresql://u:secret@127.0.0.1:{ClosedPort.Find()}/d"]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        Assert.Contains("cannot reach PostgreSQL at u@127.0.0.1", run.Error);
        Assert.DoesNotContain("secret", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        var run = await CliRun.RunAsync(["status", "--verbose", "--connection", Url(_fixture.Server.AdminUser, "wrong", _fixture.Name)]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        Assert.Contains("   at ", run.Error);
    }

    [Fact]
    public async Task No_connection_at_all_is_a_usage_error()
    {
        var run = await CliRun.RunAsync(["status"]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("pass --connection or set DATABASE_URL", run.Error);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var run = await CliRun.RunAsync(["migrate", "--dryrun"]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--dryrun", run.Error);
    }

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        var run = await CliRun.RunAsync(["--help"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("7  lock timeout", run.Output);
    }
}
