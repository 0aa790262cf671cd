using System.Text.Json.Nodes;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Docs;

/// <summary>What docs/runbook.md says `refresh` does not retry (exit code 3): failures that would fail the same way again.</summary>
public class Refresh_retries
{
    [Theory]
    [InlineData("wrong password", "authentication failed for")]
    [InlineData("missing database", "database missing:")]
    public async Task Not_a_failure_that_would_fail_the_same_way_again(string failure, string message)
    {
        var server = await PostgresServer.Instance;
        var (password, database) = failure == "wrong password" ? ("not-the-password", "postgres") : (server.AdminPassword, "no_such_database");
        var connection = $"Host={server.Host};Port={server.Port};Username={server.AdminUser};Password={password};Database={database}";

        var run = await CliRun.RunAsync(["refresh", "--connection", connection, "--retries", "3", "--json"]);

        Assert.Equal(ExitCodes.ConnectionFailed, run.ExitCode);
        Assert.Equal(1, (int)JsonNode.Parse(run.Output)!["attempts"]!);
        Assert.DoesNotContain("warning:", run.Error);
        Assert.Contains($"error: {message}", run.Error);
    }
}
