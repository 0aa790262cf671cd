using DotNet.Testcontainers.Builders;
using Testcontainers.PostgreSql;

namespace Metrics.Tests.Infrastructure;

public enum ServerKind
{
    /// <summary>The server <c>METRICS_TEST_DATABASE_URL</c> names.</summary>
    External,

    /// <summary>A <c>postgres:15</c> container started through Testcontainers.</summary>
    Container,

    /// <summary>A throwaway server from the local PostgreSQL binaries (<see cref="LocalPostgres"/>).</summary>
    LocalBinaries,
}

/// <summary>
/// Which PostgreSQL server a test run uses, and the sentence that says so: the server
/// <c>METRICS_TEST_DATABASE_URL</c> names, else a <c>postgres:15</c> container when a Docker
/// engine answers, else the local binaries, saying why Docker was not used.
/// </summary>
public sealed record ServerChoice(ServerKind Kind, string Description)
{
    public const string UrlVariable = "METRICS_TEST_DATABASE_URL";

    /// <summary>The image variable CI's version matrix sets (postgres:16, ...); postgres:15 by default.</summary>
    public const string ImageVariable = "METRICS_TEST_POSTGRES_IMAGE";

    public static readonly string ContainerImage =
        Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : "postgres:15";

    /// <summary>This run's choice, made once from the real environment and the real Docker engine.</summary>
    public static ServerChoice Current { get; } = Choose(Environment.GetEnvironmentVariable, WhyDockerIsMissing);

    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="whyDockerIsMissing">Null when a Docker engine answers; else why not. Only asked when no URL is set.</param>
    public static ServerChoice Choose(Func<string, string?> environment, Func<string?> whyDockerIsMissing)
    {
        if (!string.IsNullOrWhiteSpace(environment(UrlVariable)))
            return new ServerChoice(ServerKind.External, $"the server named by {UrlVariable}");
        if (whyDockerIsMissing() is { } why)
            return new ServerChoice(ServerKind.LocalBinaries,
                $"a throwaway server from the local PostgreSQL binaries; no {ContainerImage} container because no Docker engine answered ({why})");
        return new ServerChoice(ServerKind.Container, $"a {ContainerImage} container started by Testcontainers");
    }

    /// <summary>
    /// Testcontainers' own discovery: DOCKER_HOST, its settings file, or the default socket, each
    /// asked whether an engine answers. Building a container definition starts nothing.
    /// </summary>
    private static string? WhyDockerIsMissing()
    {
        try
        {
            new PostgreSqlBuilder(ContainerImage).Build();
            return null;
        }
        catch (DockerUnavailableException e)
        {
            // the message is a paragraph of advice; its details name the endpoints that were tried
            var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var details = lines.SkipWhile(line => line != "Details:").Skip(1).Distinct().ToList();
            return string.Join(" ", details.Count > 0 ? details : lines);
        }
    }
}
