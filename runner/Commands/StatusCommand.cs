using System.CommandLine;
using Dapper;
using Metrics.Runner.Database;
using Metrics.Runner.Migrations;

namespace Metrics.Runner.Commands;

/// <summary>
/// <c>metrics status</c>: what is applied, pending and drifted on a database. Changes nothing.
/// Exits non-zero when the database is not up to date, so a deploy pipeline can gate on it.
/// </summary>
public sealed class StatusCommand : Command
{
    private readonly DatabaseCommandRunner _runner;

    public StatusCommand(DatabaseCommandRunner runner)
        : base("status", "Show applied, pending and drifted scripts; exit 0 only when up to date.")
    {
        _runner = runner;
        this.AddDatabaseOptions();
        Add(ScriptOptions.Scripts);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            await using var connection = await target.OpenAsync(cancellationToken);
            var server = await connection.ExecuteScalarAsync<string>("select current_setting('server_version')");
            var migrator = new Migrator(target, ScriptOptions.Resolve(parseResult), output);
            var missingTables = await AppTables.FindMissingAsync(connection, target);
            var plan = await migrator.ReadPlanAsync(connection);

            output.WriteLine($"database:   {target.Description} (PostgreSQL {server}), app schema \"{target.AppSchema}\"");
            output.WriteLine($"app tables: {(missingTables is null ? "found" : "MISSING")}");
            WriteApplied(plan, output);
            WritePending(plan, output);
            WriteDrift(plan, output);
            foreach (var name in plan.AppliedButNotShipped)
                output.WriteLine($"note: {name} is applied but not shipped with this tool (a newer version applied it?)");

            var problems = new List<string>();
            if (missingTables is not null)
                problems.Add("app tables missing");
            if (plan.Drifted.Count > 0)
                problems.Add($"{plan.Drifted.Count} drifted");
            if (plan.Pending.Count > 0)
                problems.Add($"{plan.Pending.Count} pending");
            output.WriteLine($"status:     {(problems.Count == 0 ? "up to date" : string.Join(", ", problems))}");

            if (missingTables is not null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {missingTables}");
                return ExitCodes.AppTablesMissing;
            }
            return plan.Drifted.Count > 0 ? ExitCodes.DriftDetected
                : plan.Pending.Count > 0 ? ExitCodes.MigrationsPending
                : ExitCodes.Success;
        }));
    }

    private static void WriteApplied(MigrationPlan plan, TextWriter output)
    {
        output.WriteLine($"applied ({plan.Applied.Count}):");
        var width = plan.Applied.Select(e => e.ScriptName.Length).DefaultIfEmpty(0).Max();
        foreach (var entry in plan.Applied)
            output.WriteLine($"  {entry.ScriptName.PadRight(width)}  {entry.AppliedAt:yyyy-MM-dd HH:mm:ss}Z  {entry.DurationMs,6} ms  by {entry.AppliedBy}");
    }

    private static void WritePending(MigrationPlan plan, TextWriter output)
    {
        output.WriteLine($"pending ({plan.Pending.Count}):");
        foreach (var script in plan.Pending)
            output.WriteLine($"  {script.Name} ({script.Kind.ToString().ToLowerInvariant()})");
    }

    private static void WriteDrift(MigrationPlan plan, TextWriter output)
    {
        if (plan.Drifted.Count == 0)
            return;
        output.WriteLine($"drift ({plan.Drifted.Count}): applied scripts changed since they ran; never edit an applied migration, add a new one:");
        foreach (var drift in plan.Drifted)
            output.WriteLine($"  {drift.Name}: applied {drift.AppliedChecksum[..12]}, now {drift.CurrentChecksum[..12]}");
    }
}
