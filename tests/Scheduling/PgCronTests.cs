using Dapper;
using Metrics.Tests.Infrastructure;
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
}
