using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Metrics.Bench;

/// <summary>
/// What our change-capture trigger costs the app: pgbench, one client, one single-row
/// "DashboardFact" INSERT per transaction (committed, so on a durable server each waits for its
/// WAL flush), runs alternating with metrics_fact_inserted enabled and disabled, after a
/// checkpoint (the refreshes' dirty pages are not flushed under the runs) and a warm-up run. The
/// trigger is enabled again at the end, also when a run fails.
/// </summary>
internal sealed partial class TriggerOverhead(string pgbench, string databaseConnection)
{
    public const int RunsEach = 4;
    private const string Trigger = "metrics_fact_inserted";

    // A visit, as the app writes one: "createdAt" defaults to now, so the trigger logs today.
    // (No colons: pgbench reads :name as one of its variables.)
    private const string Script = """
        insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "updatedAt")
        values ('shop-00001.myshopify.com', 'dashboard.session.opened', 'ops',
                jsonb_build_object('openedAt', now(), 'operatorEmail', 'probe@shop-1.example'), '{}', current_timestamp);
        """;

    /// <summary>A checkpoint, a warm-up run (not counted), then <see cref="RunsEach"/> runs of each kind, alternating, starting with the trigger enabled.</summary>
    public async Task<TriggerOverheadResult> MeasureAsync(NpgsqlDataSource dataSource, int transactions, TextWriter log)
    {
        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, Script);
        var with = new List<double>();
        var without = new List<double>();
        try
        {
            await using (var checkpoint = dataSource.CreateCommand("checkpoint"))
                await checkpoint.ExecuteNonQueryAsync();
            await RunAsync(script, Math.Max(100, transactions / 10));
            for (var run = 0; run < RunsEach; run++)
            {
                foreach (var enabled in (bool[])[true, false])
                {
                    await SetTriggerAsync(dataSource, enabled);
                    var logged = await ChangeLogRowsAsync(dataSource);
                    var latency = await RunAsync(script, transactions);
                    var added = await ChangeLogRowsAsync(dataSource) - logged;
                    // the measure is only worth something if the trigger did (or did not) fire
                    if (enabled ? added == 0 : added != 0)
                        throw new InvalidOperationException(
                            $"pgbench run with {Trigger} {(enabled ? "enabled" : "disabled")} added {added} rows to metrics_staging.changed_day");
                    (enabled ? with : without).Add(latency);
                    log.WriteLine($"  trigger {(enabled ? "enabled " : "disabled")}: latency average {latency.ToString("0.000", CultureInfo.InvariantCulture)} ms");
                }
            }
        }
        finally
        {
            await SetTriggerAsync(dataSource, true);
            File.Delete(script);
        }
        return new TriggerOverheadResult(transactions, with, without);
    }

    private static async Task SetTriggerAsync(NpgsqlDataSource dataSource, bool enabled)
    {
        await using var command = dataSource.CreateCommand($"""alter table "DashboardFact" {(enabled ? "enable" : "disable")} trigger {Trigger}""");
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ChangeLogRowsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("select count(*) from metrics_staging.changed_day");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>One pgbench run of <paramref name="transactions"/> transactions; returns its "latency average" in ms.</summary>
    private async Task<double> RunAsync(string script, int transactions)
    {
        var database = new NpgsqlConnectionStringBuilder(databaseConnection);
        var start = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            "--host", database.Host!, "--port", database.Port.ToString(CultureInfo.InvariantCulture), "--username", database.Username!,
            "--no-vacuum", "--protocol", "prepared", "--client", "1", "--transactions", transactions.ToString(CultureInfo.InvariantCulture),
            "--file", script, database.Database!])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {pgbench}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"pgbench exited with {process.ExitCode}:\n{await output}{await error}");
        var match = LatencyAverage().Match(await output);
        if (!match.Success)
            throw new InvalidOperationException($"pgbench printed no \"latency average\":\n{await output}{await error}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^latency average = ([0-9.]+) ms$", RegexOptions.Multiline)]
    private static partial Regex LatencyAverage();
}

/// <summary>pgbench's latency average (ms) of each run with and without our trigger; their means, and the overhead in %.</summary>
internal sealed record TriggerOverheadResult(int Transactions, IReadOnlyList<double> WithMs, IReadOnlyList<double> WithoutMs)
{
    public double OverheadPercent => (WithMs.Average() / WithoutMs.Average() - 1) * 100;

    /// <summary>The mean, and the range of the runs: how noisy the disk was.</summary>
    public static string Format(IReadOnlyList<double> runs) =>
        string.Create(CultureInfo.InvariantCulture, $"{runs.Average():0.000} ms (runs {runs.Min():0.000}–{runs.Max():0.000})");
}
