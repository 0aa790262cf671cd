using System.CommandLine;
using Metrics.Bench;
using Npgsql;

// metrics-bench: the benchmark's measurements against a running (throwaway) server.
// `./build.sh bench` starts the server, builds the runner and calls this.
var host = new Option<string>("--host") { Description = "The server: a host name or a unix socket directory.", Required = true };
var runnerDll = new Option<string>("--runner") { Description = "The built runner, metrics.dll.", Required = true };
var pgbench = new Option<string>("--pgbench") { Description = "pgbench of the server's PostgreSQL bin directory, for the trigger overhead.", Required = true };
var quick = new Option<bool>("--quick") { Description = "A size CI can run in about a minute: 30 shops unless --shops says otherwise." };
var shops = new Option<int?>("--shops") { Description = "Shops in the fleet (default 1000, 30 with --quick)." };
var days = new Option<int>("--days") { Description = "Days of history.", DefaultValueFactory = _ => 30 };
var inserts = new Option<int?>("--inserts") { Description = "pgbench transactions per trigger-overhead run (default 5000, 1000 with --quick)." };
var doc = new Option<string?>("--doc") { Description = "Write the results between the bench markers of this file (docs/performance.md)." };
var commandText = new Option<string>("--command") { Description = "The command to record with the results.", DefaultValueFactory = _ => "./build.sh bench" };

var root = new RootCommand("Measures the metrics refresh against the floor F on a generated fleet.")
{
    host, runnerDll, pgbench, quick, shops, days, inserts, doc, commandText,
};
root.SetAction(async parseResult =>
{
    var fleetShops = parseResult.GetValue(shops) ?? (parseResult.GetValue(quick) ? 30 : 1000);
    var historyDays = parseResult.GetValue(days);
    var insertsPerRun = parseResult.GetValue(inserts) ?? (parseResult.GetValue(quick) ? 1000 : 5000);
    if (fleetShops < 1 || historyDays < 1 || insertsPerRun < 1)
    {
        Console.Error.WriteLine("error: --shops, --days and --inserts must be at least 1.");
        return 2;
    }
    var plan = new BenchPlan(fleetShops, historyDays, Math.Max(2, fleetShops / 20), insertsPerRun, parseResult.GetValue(commandText)!);
    var server = new NpgsqlConnectionStringBuilder { Host = parseResult.GetValue(host), Username = "postgres", Database = "postgres" }.ConnectionString;
    var benchmark = new Benchmark(server, new MetricsRunner(Path.GetFullPath(parseResult.GetValue(runnerDll)!)),
        Path.GetFullPath(parseResult.GetValue(pgbench)!), Console.Error);
    var report = await benchmark.RunAsync(plan);
    Console.WriteLine(report);
    if (parseResult.GetValue(doc) is { } path)
    {
        PerformanceDoc.Write(path, report);
        Console.Error.WriteLine($"written into {path}");
    }
    return 0;
});
return await root.Parse(args).InvokeAsync();
