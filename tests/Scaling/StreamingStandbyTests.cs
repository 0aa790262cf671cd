using Dapper;
using Metrics.Runner;
using Metrics.Runner.Snapshots;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Scaling;

/// <summary>A <see cref="FactAttribute"/> that is skipped, with the reason, where no standby can be started.</summary>
public sealed class StandbyFactAttribute : FactAttribute
{
    public StandbyFactAttribute()
    {
        if (HotStandby.SkipReason() is { } reason)
            Skip = reason;
    }
}

/// <summary>Analysts reading from a streaming read replica of the app's database (docs/scaling.md).</summary>
public class Streaming_standby(HotStandby standby) : IClassFixture<HotStandby>
{
    // beyond max_standby_streaming_delay (30 s): replay may wait that long for a standby query a
    // cleanup record of the primary's (another test's VACUUM) conflicts with
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(60);

    [StandbyFact]
    public async Task An_analyst_on_the_standby_reads_the_facts_of_a_refresh_on_the_primary_once_replayed()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        var login = "analyst_" + Guid.NewGuid().ToString("N")[..8];
        await db.Server.ExecuteAsync(db.Name, $"create role {login} login password 'analyst-pw' in role metrics_reader");
        try
        {
            await standby.CatchUpAsync(ReplayTimeout);
            await using var analyst = new NpgsqlConnection(standby.ConnectionString(db.Name, login, "analyst-pw"));
            await analyst.OpenAsync();
            Assert.True(await analyst.ExecuteScalarAsync<bool>("select pg_is_in_recovery()"));
            Assert.Empty(await analyst.QueryAsync<long>("select total_active_shops from metrics.activation_current"));

            var refresh = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf]);
            Assert.True(refresh.ExitCode == ExitCodes.Success, refresh.ToString());
            await standby.CatchUpAsync(ReplayTimeout);

            // shops a, b, d and e opened their first session in [2025-10-05, 2025-10-12); c before it
            Assert.Equal(4, await analyst.ExecuteScalarAsync<long>("select total_active_shops from metrics.activation_current"));
            await using var onPrimary = new NpgsqlConnection(db.Server.ConnectionString(db.Name, login, "analyst-pw"));
            await onPrimary.OpenAsync();
            Assert.Equal(
                (await ViewSnapshot.ReadAllAsync(onPrimary)).Select(v => v.Text),
                (await ViewSnapshot.ReadAllAsync(analyst)).Select(v => v.Text));
        }
        finally
        {
            await db.Server.DropRoleAsync(login);
        }
    }

    [StandbyFact]
    public async Task A_refresh_against_the_standby_fails_as_read_only()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        // refreshed on the primary first, as a replica of a live database is: the refresh then
        // has a previous run, and the standby holds no rows of the unlogged parsed-row tables
        await db.RefreshAsync(FixedDataSet.AsOf);
        await standby.CatchUpAsync(ReplayTimeout);
        var onStandby = standby.ConnectionString(db.Name, db.Server.AdminUser, db.Server.AdminPassword);

        var refresh = await CliRun.RunAsync(["refresh", "--connection", onStandby, "--as-of", FixedDataSet.AsOf]);

        Assert.True(refresh.ExitCode == ExitCodes.UnexpectedError, refresh.ToString());
        Assert.Matches(
            @"^error: \S+ accepts no writes \(cannot execute INSERT in a read-only transaction\): it is a hot standby, or its sessions default to read-only transactions\. This command writes, so nothing was written: run it against the primary\.\n$",
            refresh.Error.ReplaceLineEndings("\n"));
    }
}
