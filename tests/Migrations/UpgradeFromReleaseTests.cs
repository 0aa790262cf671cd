using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>
/// The runner of a past release, built from this repository's history into a temp folder,
/// together with that release's db/ scripts.
/// </summary>
public abstract class ReleaseRunner(string commit) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metrics-release-").FullName;

    public string Scripts => Path.Combine(_directory, "db");

    public string RunnerDll => Path.Combine(_directory, "out", "metrics.dll");

    public async Task InitializeAsync()
    {
        var archive = Path.Combine(_directory, "release.tar");
        await RequireSuccess(ProcessRun.RunAsync("git", ["archive", "--output", archive, commit, "runner", "db"], TimeSpan.FromMinutes(1)));
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

    private async Task RequireSuccess(Task<ProcessRun> run)
    {
        var result = await run;
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"building the runner of {commit} failed (a clone with its history is needed):\n{result}");
    }
}

/// <summary>The first release (commit 33a257d, before DbUp).</summary>
public sealed class FirstReleaseRunner() : ReleaseRunner("33a257d");

/// <summary>The last main before the refresh by UTC day (commit cc11dc5, migrations 0001-0010, parsed rows per app row).</summary>
public sealed class PerRowRefreshRunner() : ReleaseRunner("cc11dc5");

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

/// <summary>
/// A database that the last per-row release migrated and refreshed, then handed to this runner:
/// migrate needs no manual step, the next refresh parses every day once and says so, and the
/// results equal those of a database this version migrated from scratch.
/// </summary>
public class Upgrading_a_refreshed_database_of_the_per_row_release : IClassFixture<PerRowRefreshRunner>
{
    private const string AsOf = "2025-10-05T02:00:00Z";

    private readonly PerRowRefreshRunner _release;

    public Upgrading_a_refreshed_database_of_the_per_row_release(PerRowRefreshRunner release) => _release = release;

    [Fact]
    public async Task Refreshes_in_full_once_and_gives_what_a_fresh_database_gives()
    {
        await using var upgraded = await MetricsDatabase.CreateUnmigratedAsync();
        await using var fresh = await MetricsDatabase.CreateAsync();
        foreach (var db in new[] { upgraded, fresh })
        {
            await using var app = await db.OpenAsync();
            await new Metrics.Tests.Reliability.FuzzedAppData(seed: 3, rows: 200, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(app);
        }
        foreach (var step in new[] { new[] { "migrate" }, ["refresh", "--as-of", AsOf] })
        {
            var old = await _release.RunAsync([.. step, "--connection", upgraded.ConnectionString]);
            Assert.True(old.ExitCode == ExitCodes.Success, old.ToString());
        }

        var migrate = await CliRun.RunAsync(["migrate", "--connection", upgraded.ConnectionString]);
        var refresh = await CliRun.RunAsync(["refresh", "--connection", upgraded.ConnectionString, "--as-of", AsOf]);
        await fresh.RefreshAsync(AsOf);

        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.Contains("applying 0011_keep_partials_by_day.sql", migrate.Output);
        Assert.True(refresh.ExitCode == ExitCodes.Success, refresh.ToString());
        Assert.Contains("full rebuild", refresh.Output);
        await using var upgradedConnection = await upgraded.OpenAsync();
        await using var freshConnection = await fresh.OpenAsync();
        Assert.Equal(await MetricsResults.ReadAsync(freshConnection), await MetricsResults.ReadAsync(upgradedConnection));
        var next = await CliRun.RunAsync(["refresh", "--connection", upgraded.ConnectionString, "--as-of", AsOf]);
        Assert.Contains("incremental", next.Output);
    }

    [Fact]
    public async Task Keeps_the_old_job_s_duplicate_facts_and_reports_only_its_own()
    {
        await using var upgraded = await MetricsDatabase.CreateUnmigratedAsync();
        await using (var app = await upgraded.OpenAsync())
            await new Metrics.Tests.Reliability.FuzzedAppData(seed: 5, rows: 200, bigArrayBytes: 1000, new DateTime(2025, 9, 22)).WriteAllAsync(app);
        foreach (var step in new[] { new[] { "migrate" }, ["refresh", "--as-of", AsOf] })
        {
            var old = await _release.RunAsync([.. step, "--connection", upgraded.ConnectionString]);
            Assert.True(old.ExitCode == ExitCodes.Success, old.ToString());
        }
        // the old job, still running: a second row of each fact for the window just refreshed, and
        // two of each for an earlier window
        const string oldJobFacts = """
            insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
            select '__aggregate__', fact_type, 'ops', jsonb_build_object('windowEnd', window_end, 'byOldJob', true), '{}', now(), now()
            from unnest(array['metrics.activation.rolling7d', 'metrics.sla_resolution.rolling7d', 'metrics.anomaly_response.rolling7d']) as fact_type
            cross join unnest(array['2025-10-05T00:00:00.000Z', '2025-10-04T00:00:00.000Z', '2025-10-04T00:00:00.000Z']) as window_end
            """;
        await upgraded.Server.ExecuteAsync(upgraded.Name, oldJobFacts);

        var migrate = await CliRun.RunAsync(["migrate", "--connection", upgraded.ConnectionString]);
        var refresh = await CliRun.RunAsync(["refresh", "--connection", upgraded.ConnectionString, "--as-of", AsOf, "--json"]);
        var earlier = await CliRun.RunAsync(["refresh", "--connection", upgraded.ConnectionString, "--as-of", "2025-10-04T02:00:00Z", "--json"]);

        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.ToString());
        Assert.Contains("applying 0012_check_days_and_own_facts.sql", migrate.Output);
        Assert.True(refresh.ExitCode == ExitCodes.Success, refresh.ToString());
        Assert.True(earlier.ExitCode == ExitCodes.Success, earlier.ToString());
        foreach (var run in new[] { refresh, earlier })
        {
            var facts = System.Text.Json.Nodes.JsonNode.Parse(run.Output)!["facts"]!.AsObject();
            Assert.Equal(3, facts.Count);
            Assert.All(facts, fact => Assert.Null(fact.Value!["value"]!["byOldJob"]));
        }
        // the rows of the window ending 2025-10-05 that the old runner wrote stay ours; the old
        // job's second rows are untouched; of the earlier window's pairs, the first is now ours
        Assert.Equal([(string?)null, "true", null, "true"], await upgraded.QueryAsync<string?>(
            """
            select value ->> 'byOldJob' from "DashboardFact"
            where "shopDomain" = '__aggregate__' and "factType" = 'metrics.activation.rolling7d'
            order by value ->> 'windowEnd', id
            """));
        Assert.Equal(12, (await upgraded.QueryAsync<int>("""select count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__'""")).Single());
    }
}
