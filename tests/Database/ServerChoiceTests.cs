using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Database;

/// <summary>How the tests pick their PostgreSQL server, in fake environments: no Docker engine is needed.</summary>
public class Choosing_the_test_server
{
    private static Func<string, string?> Environment(string? url) =>
        name => name == ServerChoice.UrlVariable ? url : null;

    [Fact]
    public void Uses_the_server_the_url_names_without_asking_docker()
    {
        var dockerAsked = false;

        var choice = ServerChoice.Choose(Environment("postgresql://u:p@db:5432/postgres"), () =>
        {
            dockerAsked = true;
            return null;
        });

        Assert.Equal(ServerKind.External, choice.Kind);
        Assert.Contains(ServerChoice.UrlVariable, choice.Description);
        Assert.False(dockerAsked);
    }

    [Fact]
    public void Starts_a_postgres_15_container_when_docker_answers()
    {
        var choice = ServerChoice.Choose(Environment(null), () => null);

        Assert.Equal(ServerKind.Container, choice.Kind);
        Assert.Contains("postgres:15", choice.Description);
    }

    [Fact]
    public void Falls_back_to_the_local_binaries_and_says_why_when_docker_is_missing()
    {
        var choice = ServerChoice.Choose(Environment("  "), () => "unix:///var/run/docker.sock: no such file");

        Assert.Equal(ServerKind.LocalBinaries, choice.Kind);
        Assert.Contains("local PostgreSQL binaries", choice.Description);
        Assert.Contains("no Docker engine answered (unix:///var/run/docker.sock: no such file)", choice.Description);
    }
}
