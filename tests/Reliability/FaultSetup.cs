using System.Diagnostics;
using Dapper;
using Npgsql;
using Xunit;

namespace Metrics.Tests.Reliability;

/// <summary>What the fault tests set up and check on a database.</summary>
public static class FaultSetup
{
    /// <summary>
    /// Makes each aggregate fact write of a session named <paramref name="application"/> sleep, so that
    /// a refresh is still running when the test acts; other sessions are not slowed down.
    /// </summary>
    public static string SlowFactWrites(string application, double seconds) => $"""
        create function public.slow_fact_write() returns trigger language plpgsql as $$
        begin
            if current_setting('application_name') = '{application}' then
                perform pg_sleep({seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)});
            end if;
            return new;
        end $$;
        create trigger slow_fact_write before insert or update on "DashboardFact"
            for each row when (new."shopDomain" = '__aggregate__') execute function public.slow_fact_write();
        """;

    /// <summary>
    /// Waits until a session named <paramref name="application"/> of the database of <paramref name="connection"/>
    /// sleeps in pg_sleep (60 s at most). Other test classes run in parallel on the same server
    /// with the same application name: a session of theirs must not count.
    /// </summary>
    public static async Task WaitUntilSleepingAsync(string connection, string application)
    {
        await using var db = new NpgsqlConnection(connection);
        var stopwatch = Stopwatch.StartNew();
        while (!await db.ExecuteScalarAsync<bool>(
                   "select exists (select from pg_stat_activity where application_name = @application and wait_event = 'PgSleep' and datname = current_database())", new { application }))
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"{application} never reached its pg_sleep");
            await Task.Delay(20);
        }
    }

    /// <summary>Every window written has all three facts, once each.</summary>
    public static async Task AssertNoHalfWrittenFactSetAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        Assert.Empty(await db.QueryAsync<string>(
            """
            select value ->> 'windowEnd' from "DashboardFact" where "shopDomain" = '__aggregate__'
            group by 1 having count(*) <> 3 or count(distinct "factType") <> 3
            """));
    }
}
