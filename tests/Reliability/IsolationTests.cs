using System.Data;
using Dapper;
using Metrics.Runner;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Refresh;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>
/// The refresh under every isolation level a caller may have: at READ COMMITTED a refresh that
/// waited for another sees its facts; at REPEATABLE READ or SERIALIZABLE (a DBA's
/// default_transaction_isolation, a pg_cron role's) the transaction's snapshot predates the
/// refresh lock, so the procedure refuses at once, saying what to do, and writes nothing. The
/// runner always runs at READ COMMITTED.
/// </summary>
[Trait(ReliabilityRun.Trait, ReliabilityRun.Category)]
public class Isolation_levels
{
    private const string WindowEnd = "2025-10-12T00:00:00.000Z";

    [Theory]
    [InlineData(IsolationLevel.RepeatableRead, "REPEATABLE READ")]
    [InlineData(IsolationLevel.Serializable, "SERIALIZABLE")]
    public async Task A_refresh_at_repeatable_read_or_serializable_is_refused_before_it_writes(IsolationLevel level, string levelName)
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(level);

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf = FixedDataSet.AsOf }, transaction));
        await transaction.RollbackAsync();

        Assert.Equal(PostgresErrorCodes.InvalidTransactionState, refused.SqlState);
        Assert.Equal($"metrics.refresh runs only at READ COMMITTED isolation; this transaction is {levelName}", refused.MessageText);
        Assert.Contains("BEGIN ISOLATION LEVEL READ COMMITTED; CALL metrics.refresh(); COMMIT;", refused.Hint);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from metrics.refresh_run"));
        ReliabilityRun.Figure("fault", ("kind", "isolation"), ("trials", 1));
    }

    [Fact]
    public async Task Two_refreshes_started_together_write_one_fact_per_type()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        for (var trial = 0; trial < ReliabilityRun.FaultTrials; trial++)
        {
            // the sequence: the first holds its facts uncommitted for a while; the second
            // starts meanwhile and waits for the lock (a new window each trial: the first facts of it)
            var asOf = $"2025-10-{12 + trial:00}T02:00:00Z";
            await using var first = await db.OpenAsync();
            await using var second = await db.OpenAsync();
            await using var firstTransaction = await first.BeginTransactionAsync(IsolationLevel.ReadCommitted);
            await first.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf }, firstTransaction);
            var secondRefresh = Task.Run(async () =>
            {
                await using var transaction = await second.BeginTransactionAsync(IsolationLevel.ReadCommitted);
                await second.ExecuteAsync("call metrics.refresh(@asOf::timestamptz)", new { asOf }, transaction);
                await transaction.CommitAsync();
            });
            // the second is waiting for the refresh lock the first holds
            var secondPid = second.ProcessID;
            await using (var observer = await db.OpenAsync())
            {
                for (var deadline = DateTime.UtcNow.AddSeconds(30);
                     !await observer.ExecuteScalarAsync<bool>(
                         "select exists (select from pg_locks where locktype = 'advisory' and objid = 7235002 and not granted and pid = @secondPid)", new { secondPid });
                     await Task.Delay(50))
                    Assert.True(DateTime.UtcNow < deadline && !secondRefresh.IsCompleted, "the second refresh did not wait for the first one's lock");
            }
            await firstTransaction.CommitAsync();
            await secondRefresh;
        }

        Assert.Empty(await db.QueryAsync<string>(
            """
            select "factType" || ' ' || (value ->> 'windowEnd') from "DashboardFact" where "shopDomain" = '__aggregate__'
            group by "factType", value ->> 'windowEnd' having count(*) > 1
            """));
        Assert.Equal(3 * ReliabilityRun.FaultTrials, (await db.QueryAsync<int>("""select count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__'""")).Single());
        ReliabilityRun.Figure("fault", ("kind", "isolation"), ("trials", ReliabilityRun.FaultTrials));
    }

    [Fact]
    public async Task The_runner_refreshes_at_read_committed_whatever_the_default_isolation()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.Server.ExecuteAsync(db.Name, $"""alter database "{db.Name}" set default_transaction_isolation = 'repeatable read'""");

        var run = await CliRun.RunAsync(["refresh", "--connection", db.ConnectionString, "--as-of", FixedDataSet.AsOf, "--json"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(4, (int)(await db.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
        Assert.Equal("repeatable read", (await db.QueryAsync<string>("show default_transaction_isolation")).Single());
    }

    [ClientToolFact("psql")]
    public async Task A_bare_call_from_psql_under_repeatable_read_fails_with_what_to_do()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.Server.ExecuteAsync(db.Name, $"""alter database "{db.Name}" set default_transaction_isolation = 'repeatable read'""");
        Task<ProcessRun> Psql(string command) => ProcessRun.RunAsync(ClientTools.Find("psql")!,
            ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--dbname", ClientTools.ConnectionUri(db.Server, db.Name), "-c", command], TimeSpan.FromMinutes(2));

        var refused = await Psql($"CALL metrics.refresh('{FixedDataSet.AsOf}')");
        var factsAfterRefusal = await db.QueryAsync<int>("""select count(*)::int from "DashboardFact" where "shopDomain" = '__aggregate__'""");
        // the hint's command, as given
        var hinted = await Psql($"BEGIN ISOLATION LEVEL READ COMMITTED; CALL metrics.refresh('{FixedDataSet.AsOf}'); COMMIT;");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("metrics.refresh runs only at READ COMMITTED isolation; this transaction is REPEATABLE READ", refused.Error);
        Assert.Contains("HINT:  Call it at READ COMMITTED", refused.Error);
        Assert.Equal([0], factsAfterRefusal);
        Assert.True(hinted.ExitCode == 0, hinted.ToString());
        Assert.Equal(WindowEnd, (string)(await db.SingleFactAsync("metrics.activation.rolling7d"))["windowEnd"]!);
    }
}
