using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>
/// The runner of the first release (commit 33a257d, before DbUp), built from this repository's
/// history into a temp folder, together with that release's db/ scripts.
/// </summary>
public sealed class FirstReleaseRunner : IAsyncLifetime
{
    public const string Commit = "33a257d";

    private readonly string _directory = Directory.CreateTempSubdirectory("metrics-release-").FullName;

    public string Scripts => Path.Combine(_directory, "db");

    public string RunnerDll => Path.Combine(_directory, "out", "metrics.dll");

    public async Task InitializeAsync()
    {
        var archive = Path.Combine(_directory, "release.tar");
        await RequireSuccess(ProcessRun.RunAsync("git", ["archive", "--output", archive, Commit, "runner", "db"], TimeSpan.FromMinutes(1)));
        await RequireSuccess(ProcessRun.RunAsync("tar", ["-xf", archive, "-C", _directory], TimeSpan.FromMinutes(1)));
        await RequireSuccess(ProcessRun.RunAsync("dotnet",
            ["build", Path.Combine(_directory, "runner"), "-c", "Release", "-o", Path.Combine(_directory, "out"), "-nologo", "-v", "quiet"],
            TimeSpan.FromMinutes(5)));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    public Task<ProcessRun> RunAsync(params string[] arguments) =>
        ProcessRun.RunAsync("dotnet", [RunnerDll, .. arguments], TimeSpan.FromMinutes(5));

    private static async Task RequireSuccess(Task<ProcessRun> run)
    {
        var result = await run;
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"building the first release's runner failed (a clone with its history is needed):\n{result}");
    }
}

/// <summary>A database migrated by the first release's own runner, then handed to this one: a DBA notices nothing.</summary>
public class Upgrading_from_the_first_release : IClassFixture<FirstReleaseRunner>
{
    private readonly FirstReleaseRunner _release;

    public Upgrading_from_the_first_release(FirstReleaseRunner release) => _release = release;

    [Fact]
    public async Task Finds_nothing_pending_and_changes_no_journal_row()
    {
        await using var db = await MigratedByTheReleaseAsync();
        var before = await JournalAsync(db.ConnectionString);

        var status = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--scripts", _release.Scripts]);
        var migrate = await CliRun.RunAsync(["migrate", "--connection", db.ConnectionString, "--scripts", _release.Scripts]);

        // the release shipped 0001-0007 and three repeatable scripts in db/repeatable, a folder this
        // runner no longer reads: their rows are noted as applied but not shipped, and left alone
        Assert.Equal(10, before.Count);
        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.Contains("nothing pending", migrate.Output);
        Assert.Equal(before, await JournalAsync(db.ConnectionString));
    }

    [Fact]
    public async Task Applies_only_what_this_version_adds_and_keeps_the_released_rows()
    {
        await using var db = await MigratedByTheReleaseAsync();
        var released = await JournalAsync(db.ConnectionString, "versioned");

        var migrate = await CliRun.RunAsync(["migrate", "--connection", db.ConnectionString]);
        var status = await CliRun.RunAsync(["status", "--connection", db.ConnectionString]);

        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
        Assert.DoesNotContain("drift", status.Output);
        var versionedNow = await JournalAsync(db.ConnectionString, "versioned");
        Assert.Equal(released, versionedNow.Take(released.Count));
    }

    /// <summary>A fresh database with the app tables, migrated by the first release's own runner.</summary>
    private async Task<MetricsDatabase> MigratedByTheReleaseAsync()
    {
        var db = await MetricsDatabase.CreateUnmigratedAsync();
        var old = await _release.RunAsync("migrate", "--connection", db.ConnectionString);
        if (old.ExitCode != ExitCodes.Success)
            await db.DisposeAsync();
        Assert.True(old.ExitCode == ExitCodes.Success, old.ToString());
        return db;
    }

    /// <summary>Every column of every journal row, as text, in name order.</summary>
    private static async Task<List<string>> JournalAsync(string connection, string? kind = null)
    {
        await using var db = new NpgsqlConnection(connection);
        return (await db.QueryAsync<string>(
            "select journal::text from metrics.schema_journal as journal where @kind is null or script_kind = @kind order by script_name",
            new { kind })).ToList();
    }
}
