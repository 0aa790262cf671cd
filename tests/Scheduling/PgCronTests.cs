using System.Text.RegularExpressions;
using Dapper;
using Metrics.Tests.Infrastructure;
using Metrics.Tests.Security;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Scheduling;

/// <summary>A <see cref="FactAttribute"/> that is skipped, with the reason, where pg_cron cannot be loaded.</summary>
public sealed class PgCronFactAttribute : FactAttribute
{
    public PgCronFactAttribute()
    {
        if (LocalPostgres.PgCronSkipReason() is { } reason)
            Skip = reason;
    }
}

/// <summary>The nightly job as a pg_cron schedule calling the procedure (docs/runbook.md).</summary>
public class Pg_cron
{
    [PgCronFact]
    public async Task A_scheduled_call_of_the_procedure_writes_the_facts()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await db.SessionOpenedAsync("a.myshopify.com", DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd'T'HH:mm:ss"));
        await using var cron = new NpgsqlConnection(db.Server.ConnectionString("postgres"));
        await cron.OpenAsync();
        await cron.ExecuteAsync("create extension if not exists pg_cron");
        // the documented schedule is '0 2 * * *'; every minute here, pg_cron's finest step
        var job = await cron.ExecuteScalarAsync<long>(
            "select cron.schedule_in_database(@name, '* * * * *', 'CALL metrics.refresh()', @database)",
            new { name = "metrics-refresh-" + db.Name, database = db.Name });
        try
        {
            var statuses = new List<string>();
            for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline && !statuses.Contains("succeeded"); await Task.Delay(1000))
                statuses = (await cron.QueryAsync<string>("select status from cron.job_run_details where jobid = @job", new { job })).ToList();

            Assert.Contains("succeeded", statuses);
            Assert.NotEmpty(await db.QueryAsync<long>("select refresh_run_id from metrics.refresh_run"));
            Assert.Equal(1, (int)(await db.AggregateFactsAsync("metrics.activation.rolling7d")).Last().Value["totalActiveShops"]!);
        }
        finally
        {
            await cron.ExecuteAsync("select cron.unschedule(@job)", new { job });
        }
    }

    /// <summary>
    /// docs/runbook.md "pg_cron": a superuser's grants in pg_cron's database, then the job scheduled by
    /// the least-privilege metrics owner, which it runs as; the owner follows its runs and unschedules it.
    /// </summary>
    [PgCronFact]
    public async Task A_job_scheduled_by_the_metrics_owner_runs_as_that_login()
    {
        var blocks = RunbookGrants.SqlBlocks("### pg_cron");
        Assert.Equal(3, blocks.Count);
        await using var db = await LeastPrivilegeDatabase.CreateAsync();
        await db.SessionOpenedAsync("a.myshopify.com", DateTime.UtcNow.AddDays(-2));
        // the documented schedule is '0 2 * * *'; every minute here, pg_cron 1.4's finest step (seconds need 1.5)
        var names = new Dictionary<string, string>(db.Names) { ["'0 2 * * *'"] = "'* * * * *'" };
        var grants = RunbookGrants.Statements(RunbookGrants.WithNames(blocks[0], names));
        var schedule = Assert.Single(RunbookGrants.Statements(RunbookGrants.WithNames(blocks[1], names)));
        var runs = Assert.Single(RunbookGrants.Statements(blocks[2]));
        Assert.Contains("cron.schedule_in_database(", schedule);
        Assert.Contains($"'{db.Name}')", schedule);

        await using var cron = new NpgsqlConnection(db.Server.ConnectionString("postgres"));
        await cron.OpenAsync();
        await cron.ExecuteAsync("create extension if not exists pg_cron");
        await using var owner = new NpgsqlConnection(db.OwnerConnection("postgres"));
        await owner.OpenAsync();
        Assert.False(await owner.ExecuteScalarAsync<bool>("select rolsuper or rolcreaterole from pg_roles where rolname = current_user"));
        try
        {
            // refused without the grants, and with either of them alone
            var refused = await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteScalarAsync<long>(schedule));
            Assert.Equal((PostgresErrorCodes.InsufficientPrivilege, "permission denied for schema cron"), (refused.SqlState, refused.MessageText));
            foreach (var missing in grants)
            {
                var others = grants.Where(grant => grant != missing).ToList();
                foreach (var grant in others)
                    await cron.ExecuteAsync(grant);
                var stillRefused = await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteScalarAsync<long>(schedule));
                Assert.True(stillRefused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"without `{missing}`: {stillRefused.MessageText}");
                foreach (var grant in others)
                    await cron.ExecuteAsync(RunbookGrants.Revoke(grant));
            }

            foreach (var grant in grants)
                await cron.ExecuteAsync(grant);
            var job = await owner.ExecuteScalarAsync<long>(schedule);

            // the documented query, as the owner: its own job's runs only
            var seen = new List<(long JobId, string Status, string Message)>();
            for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline && !seen.Any(run => run.Status is "succeeded" or "failed"); await Task.Delay(1000))
                seen = [.. await owner.QueryAsync<(long, string, string)>($"select jobid, status, coalesce(return_message, '') from ({runs.TrimEnd(';')}) as runs")];

            Assert.Contains(seen, run => run.Status == "succeeded");
            Assert.All(seen, run => Assert.Equal(job, run.JobId));
            Assert.DoesNotContain(seen, run => run.Status == "failed");
            Assert.Equal((db.Owner, db.Name), await cron.QuerySingleAsync<(string, string)>(
                "select username, database from cron.job_run_details where jobid = @job and status = 'succeeded' limit 1", new { job }));
            await using var admin = new NpgsqlConnection(db.AdminConnectionString);
            Assert.Contains(db.Owner, await admin.QueryAsync<string>("select refreshed_by from metrics.refresh_run"));
            Assert.Equal(1, await admin.ExecuteScalarAsync<int>(
                """select (value ->> 'totalActiveShops')::int from "DashboardFact" where "shopDomain" = '__aggregate__' and "factType" = 'metrics.activation.rolling7d' order by id desc limit 1"""));

            var unschedule = Regex.Match(RunbookGrants.Section("### pg_cron"), @"`(SELECT cron\.unschedule\([^`]*\);)`");
            Assert.True(unschedule.Success, "the pg_cron section of docs/runbook.md names no `SELECT cron.unschedule(...);`");
            Assert.True(await owner.ExecuteScalarAsync<bool>(unschedule.Groups[1].Value));
            Assert.Equal(0, await cron.ExecuteScalarAsync<int>("select count(*)::int from cron.job where jobid = @job", new { job }));
        }
        finally
        {
            await cron.ExecuteAsync("select cron.unschedule(jobid) from cron.job where username = @owner", new { owner = db.Owner });
        }
    }

    [PgCronFact]
    public async Task A_job_under_a_repeatable_read_default_fails_with_what_to_do_and_the_documented_command_runs()
    {
        // two databases whose default isolation is REPEATABLE READ: the plain call, and the runbook's command
        await using var plain = await MetricsDatabase.CreateAsync();
        await using var documented = await MetricsDatabase.CreateAsync();
        await using var cron = new NpgsqlConnection(plain.Server.ConnectionString("postgres"));
        await cron.OpenAsync();
        await cron.ExecuteAsync("create extension if not exists pg_cron");
        var jobs = new List<long>();
        try
        {
            foreach (var (db, command) in new[] { (plain, "CALL metrics.refresh()"), (documented, DocumentedCommand) })
            {
                await db.SessionOpenedAsync("a.myshopify.com", DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd'T'HH:mm:ss"));
                await db.Server.ExecuteAsync(db.Name, $"""alter database "{db.Name}" set default_transaction_isolation = 'repeatable read'""");
                jobs.Add(await cron.ExecuteScalarAsync<long>(
                    "select cron.schedule_in_database(@name, '* * * * *', @command, @database)",
                    new { name = "metrics-refresh-" + db.Name, command, database = db.Name }));
            }
            var runs = new List<(long Job, string Status, string Message)>();
            for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline && runs.Select(r => r.Job).Distinct().Count() < 2; await Task.Delay(1000))
                runs = [.. await cron.QueryAsync<(long, string, string)>(
                    "select jobid, status, coalesce(return_message, '') from cron.job_run_details where jobid = any(@jobs) and status in ('succeeded', 'failed')",
                    new { jobs })];

            Assert.Contains(runs, run => run.Job == jobs[0] && run.Status == "failed"
                && run.Message.Contains("metrics.refresh runs only at READ COMMITTED isolation; this transaction is REPEATABLE READ", StringComparison.Ordinal));
            Assert.Empty(await plain.QueryAsync<long>("select refresh_run_id from metrics.refresh_run"));
            Assert.Contains(runs, run => run.Job == jobs[1] && run.Status == "succeeded");
            Assert.Equal(1, (int)(await documented.SingleFactAsync("metrics.activation.rolling7d"))["totalActiveShops"]!);
        }
        finally
        {
            foreach (var job in jobs)
                await cron.ExecuteAsync("select cron.unschedule(@job)", new { job });
        }
    }

    /// <summary>
    /// The command docs/runbook.md gives for a pg_cron job whose role or database defaults to another
    /// isolation level (BEGIN ... COMMIT fails in pg_cron's background-worker mode).
    /// </summary>
    private const string DocumentedCommand = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; CALL metrics.refresh();";
}
