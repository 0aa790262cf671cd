using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Xunit;

namespace Metrics.Tests.Cli;

/// <summary><c>metrics status --json</c>: one object on stdout with what the readable status says, and the same exit code.</summary>
public class Status_json
{
    [Fact]
    public async Task Describes_a_migrated_and_refreshed_database()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);

        var text = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--max-age", "26"]);
        var run = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--max-age", "26", "--json"]);

        // the facts end on 2025-10-12: stale, as the readable status says
        Assert.Equal(ExitCodes.Stale, text.ExitCode);
        Assert.True(run.ExitCode == ExitCodes.Stale, run.ToString());
        var status = JsonNode.Parse(run.Output)!.AsObject();
        Assert.True((bool)status["appTablesFound"]!);
        Assert.False((bool)status["upToDate"]!);
        Assert.Equal(["stale (facts older than 26 h)"], status["problems"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(ExitCodes.Stale, (int)status["exitCode"]!);
        var applied = status["applied"]!.AsArray();
        Assert.Equal(int.Parse(Regex.Match(text.Output, @"applied \((\d+)\):").Groups[1].Value), applied.Count);
        Assert.Equal("0001_create_metrics_schema.sql", (string?)applied[0]!["name"]);
        Assert.Equal("versioned", (string?)applied[0]!["kind"]);
        Assert.Empty(status["pending"]!.AsArray());
        Assert.Empty(status["drifted"]!.AsArray());

        var last = status["lastRefresh"]!;
        var run0 = (await db.QueryAsync<(string Mode, int ChangedRows)>("select refresh_mode, changed_rows from metrics.refresh_run")).Single();
        Assert.Equal("2025-10-12T02:00:00.000Z", (string?)last["asOf"]);
        Assert.Equal("2025-10-05T00:00:00.000Z", (string?)last["windowStart"]);
        Assert.Equal("2025-10-12T00:00:00.000Z", (string?)last["windowEnd"]);
        Assert.Equal(run0.Mode, (string?)last["mode"]);
        Assert.Equal(run0.ChangedRows, (int)last["changedRows"]!);
        Assert.Equal(2, (int)last["dataQualityIssues"]!);
        Assert.True((long)last["durationMs"]! >= 0);
        Assert.NotNull((string?)last["finishedAt"]);

        // the row counts and data-quality count of the readable status
        Assert.Equal(5, (long)status["viewRows"]!["shop_activation"]!);
        Assert.Equal(2, (int)status["dataQualityIssues"]!);
        var freshness = status["freshness"]!;
        Assert.Equal("2025-10-12T00:00:00.000Z", (string?)freshness["newestWindowEnd"]);
        Assert.True((double)freshness["ageHours"]! > 26);
        Assert.Equal(26, (double)freshness["maxAgeHours"]!);
        Assert.True((bool)freshness["stale"]!);
        var triggers = status["triggers"]!.AsArray();
        Assert.Equal(8, triggers.Count);
        Assert.All(triggers, trigger => Assert.Equal("enabled", (string?)trigger!["state"]));
        Assert.Equal(0, (int)status["subscriptions"]!);

        // stdout holds the object only; the readable lines and the error are on stderr
        Assert.Contains("status:     stale", run.Error);
        Assert.Contains("error: the newest facts are", run.Error);
    }

    [Fact]
    public async Task Lists_every_script_as_pending_on_an_unmigrated_database()
    {
        await using var db = await MetricsDatabase.CreateUnmigratedAsync();

        var text = await CliRun.RunAsync(["status", "--connection", db.ConnectionString]);
        var run = await CliRun.RunAsync(["status", "--connection", db.ConnectionString, "--json"]);

        Assert.Equal(ExitCodes.MigrationsPending, text.ExitCode);
        Assert.True(run.ExitCode == ExitCodes.MigrationsPending, run.ToString());
        var status = JsonNode.Parse(run.Output)!.AsObject();
        var pending = status["pending"]!.AsArray();
        Assert.Equal(int.Parse(Regex.Match(text.Output, @"pending \((\d+)\):").Groups[1].Value), pending.Count);
        Assert.Equal(["0001_create_metrics_schema.sql", "versioned", null], new[] { "name", "kind", "reason" }.Select(field => (string?)pending[0]![field]));
        Assert.Contains(pending, script => (string?)script!["name"] == "procedures/refresh.sql" && (string?)script["reason"] == "new");
        Assert.Empty(status["applied"]!.AsArray());
        Assert.Equal([$"{pending.Count} pending"], status["problems"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(ExitCodes.MigrationsPending, (int)status["exitCode"]!);
        Assert.Null(status["lastRefresh"]);
        Assert.Null(status["viewRows"]);
        Assert.Null(status["dataQualityIssues"]);
        Assert.Null(status["triggers"]);
        Assert.Null(status["freshness"]!["newestWindowEnd"]);
        Assert.False((bool)status["freshness"]!["stale"]!);
    }
}
