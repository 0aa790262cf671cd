using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary>
/// <c>metrics</c> as a .NET tool, the way docs/runbook.md installs it: packed from the checkout,
/// installed from that folder alone (a NuGet config with no other source proves it needs no feed),
/// and run from the tool path.
/// </summary>
public class The_tool_package : IClassFixture<TestDatabase>, IDisposable
{
    private readonly TestDatabase _fixture;
    private readonly string _directory = Directory.CreateTempSubdirectory("metrics-tool-").FullName;

    public The_tool_package(TestDatabase fixture) => _fixture = fixture;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Installs_from_the_packed_folder_and_runs_version_and_a_dry_run()
    {
        var artifacts = Path.Combine(_directory, "artifacts");
        var tools = Path.Combine(_directory, "tools");
        var onlyLocalSources = Path.Combine(_directory, "nuget.config");
        await File.WriteAllTextAsync(onlyLocalSources, "<configuration><packageSources><clear /></packageSources></configuration>");
        var timeout = TimeSpan.FromMinutes(5);

        var pack = await ProcessRun.RunAsync("dotnet", ["pack", "runner", "-c", "Release", "-o", artifacts, "-nologo"], timeout);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var install = await ProcessRun.RunAsync("dotnet",
            ["tool", "install", "Metrics.Runner", "--tool-path", tools, "--add-source", artifacts, "--configfile", onlyLocalSources], timeout);
        Assert.True(install.ExitCode == 0, install.ToString());
        var commit = await ProcessRun.RunAsync("git", ["rev-parse", "HEAD"], timeout);

        var version = await ProcessRun.RunAsync(Path.Combine(tools, "metrics"), ["--version"], timeout);
        var dryRun = await ProcessRun.RunAsync(Path.Combine(tools, "metrics"), ["migrate", "--dry-run", "--connection", _fixture.ConnectionString], timeout);

        Assert.True(version.ExitCode == ExitCodes.Success, version.ToString());
        Assert.Matches($@"^metrics \d+\.\d+\.\d+ \(commit {commit.Output.Trim()}\)$", version.Output.Trim());
        Assert.True(dryRun.ExitCode == ExitCodes.Success, dryRun.ToString());
        Assert.Contains("-- ==== 0001_create_metrics_schema.sql (versioned, in one transaction) ====", dryRun.Output);
        Assert.Contains("nothing was changed", dryRun.Output);
    }
}
