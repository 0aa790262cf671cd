using System.Text.Json.Nodes;
using Metrics.Runner.Database;
using Metrics.Runner.Migrations;
using Metrics.Runner.Refresh;

namespace Metrics.Runner.Commands;

/// <summary>
/// What <c>metrics status</c> found on a database: the scripts, the last refresh and how fresh
/// the facts are, the change triggers; the problems among them and the exit code they make.
/// <c>--json</c> prints it as one object (<see cref="ToJson"/>).
/// </summary>
/// <param name="MissingTables">The message naming the missing app tables, or null when both exist.</param>
/// <param name="Freshness">Null when the app tables are missing or the schema is not migrated.</param>
/// <param name="Triggers">Null when the app tables are missing or the schema is not migrated far enough to list them.</param>
public sealed record StatusReport(
    DatabaseTarget Target,
    string ServerVersion,
    string? MissingTables,
    MigrationPlan Plan,
    Freshness? Freshness,
    IReadOnlyList<ChangeTrigger>? Triggers,
    int Subscriptions,
    TimeSpan? MaxAge)
{
    public IReadOnlyList<ChangeTrigger> NotFiring => Triggers?.Where(t => !t.IsFiring).ToList() ?? [];

    public bool IsStale => MaxAge is not null && !(Freshness?.Age <= MaxAge);

    /// <summary>What the status line names: "app tables missing", "2 drifted", "37 pending", ...; empty when up to date.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>();
            if (MissingTables is not null)
                problems.Add("app tables missing");
            if (Plan.Drifted.Count > 0)
                problems.Add($"{Plan.Drifted.Count} drifted");
            if (Plan.Pending.Count > 0)
                problems.Add($"{Plan.Pending.Count} pending");
            if (NotFiring.Count > 0)
                problems.Add($"{NotFiring.Count} trigger(s) not firing");
            if (IsStale)
                problems.Add($"stale (facts older than {MaxAge!.Value.TotalHours:0.#} h)");
            return problems;
        }
    }

    /// <summary>The ranking of the runbook: app tables missing, drift, pending scripts, triggers, stale.</summary>
    public int ExitCode =>
        MissingTables is not null ? ExitCodes.AppTablesMissing
        : Plan.Drifted.Count > 0 ? ExitCodes.DriftDetected
        : Plan.Pending.Count > 0 ? ExitCodes.MigrationsPending
        : NotFiring.Count > 0 ? ExitCodes.TriggersNotFiring
        : IsStale ? ExitCodes.Stale
        : ExitCodes.Success;

    public JsonObject ToJson() => new()
    {
        ["database"] = Target.Description,
        ["serverVersion"] = ServerVersion,
        ["appSchema"] = Target.AppSchema,
        ["appTablesFound"] = MissingTables is null,
        ["upToDate"] = Problems.Count == 0,
        ["problems"] = new JsonArray([.. Problems.Select(problem => JsonValue.Create(problem))]),
        ["exitCode"] = ExitCode,
        ["applied"] = new JsonArray([.. Plan.Applied.Select(entry => new JsonObject
        {
            ["name"] = entry.ScriptName,
            ["kind"] = entry.ScriptKind,
            ["appliedAt"] = JsonOutput.Instant(entry.AppliedAt),
            ["durationMs"] = entry.DurationMs,
            ["appliedBy"] = entry.AppliedBy,
        })]),
        ["pending"] = new JsonArray([.. Plan.Pending.Select(script => new JsonObject
        {
            ["name"] = script.Name,
            ["kind"] = script.KindName,
            ["reason"] = script.Kind == ScriptKind.Repeatable ? Plan.WhyPending(script) : null,
        })]),
        ["drifted"] = new JsonArray([.. Plan.Drifted.Select(drift => new JsonObject
        {
            ["name"] = drift.Name,
            ["appliedChecksum"] = drift.AppliedChecksum,
            ["currentChecksum"] = drift.CurrentChecksum,
        })]),
        ["appliedButNotShipped"] = new JsonArray([.. Plan.AppliedButNotShipped.Select(name => JsonValue.Create(name))]),
        ["lastRefresh"] = Freshness?.Last is { } last ? LastRefreshJson(last) : null,
        ["viewRows"] = Freshness is null ? null : new JsonObject(Freshness.Views.Select(view => KeyValuePair.Create<string, JsonNode?>(view.View, view.Rows))),
        ["dataQualityIssues"] = Freshness is null ? null : Freshness.Last?.DataQualityIssues ?? 0,
        ["freshness"] = new JsonObject
        {
            ["newestWindowEnd"] = Freshness?.NewestWindowEnd is { } windowEnd ? JsonOutput.Instant(windowEnd) : null,
            ["ageHours"] = Freshness?.Age is { } age ? Math.Round(age.TotalHours, 2) : null,
            ["maxAgeHours"] = MaxAge?.TotalHours,
            ["stale"] = IsStale,
            ["viewsLagFacts"] = Freshness?.ViewsLagFacts ?? false,
        },
        ["triggers"] = Triggers is null ? null : new JsonArray([.. Triggers.Select(trigger => new JsonObject
        {
            ["name"] = trigger.TriggerName,
            ["appTable"] = trigger.AppTable,
            ["state"] = trigger.State,
            ["firing"] = trigger.IsFiring,
        })]),
        ["subscriptions"] = Triggers is null ? null : Subscriptions,
    };

    private static JsonObject LastRefreshJson(LastRefresh last) => new()
    {
        ["asOf"] = JsonOutput.Instant(last.AsOf),
        ["windowStart"] = JsonOutput.Instant(last.WindowStart),
        ["windowEnd"] = JsonOutput.Instant(last.WindowEnd),
        ["startedAt"] = JsonOutput.Instant(last.StartedAt),
        ["finishedAt"] = last.FinishedAt is { } finished ? JsonOutput.Instant(finished) : null,
        ["durationMs"] = last.Duration is { } duration ? (long)duration.TotalMilliseconds : null,
        ["mode"] = last.Mode,
        ["changedRows"] = last.ChangedRows,
        ["dataQualityIssues"] = last.DataQualityIssues,
        ["refreshedBy"] = last.RefreshedBy,
    };
}
