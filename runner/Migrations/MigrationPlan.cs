using DbUp.Engine;

namespace Metrics.Runner.Migrations;

/// <summary>A versioned script whose text changed after it was applied.</summary>
public sealed record DriftedScript(string Name, string AppliedChecksum, string CurrentChecksum);

/// <summary>
/// What the journal and the shipped scripts say together: what is applied, what would run next
/// (DbUp's sorted and filtered list), what drifted, and what was applied but is not shipped
/// (e.g. the repeatable scripts of earlier releases, journaled by their bare file names).
/// Computed, never stored.
/// </summary>
public sealed record MigrationPlan(
    IReadOnlyList<JournalEntry> Applied,
    IReadOnlyList<Script> Pending,
    IReadOnlyList<DriftedScript> Drifted,
    IReadOnlyList<string> AppliedButNotShipped)
{
    public static MigrationPlan Read(UpgradeEngine engine, Journal journal)
    {
        var applied = journal.ReadEntries();
        var appliedChecksums = applied.ToDictionary(entry => entry.ScriptName, entry => entry.Checksum);
        var drifted = engine.GetDiscoveredScripts().Cast<Script>()
            .Where(script => script.Kind == ScriptKind.Versioned
                             && appliedChecksums.TryGetValue(script.Name, out var checksum) && checksum != script.Checksum)
            .Select(script => new DriftedScript(script.Name, appliedChecksums[script.Name], script.Checksum))
            .OrderBy(drift => drift.Name, StringComparer.Ordinal)
            .ToList();
        return new MigrationPlan(applied, engine.GetScriptsToExecute().Cast<Script>().ToList(), drifted, engine.GetExecutedButNotDiscoveredScripts());
    }

    /// <summary>Why a pending repeatable script runs: "new", "changed", or "with the group" (its text is as applied).</summary>
    public string WhyPending(Script script) =>
        Applied.FirstOrDefault(entry => entry.ScriptName == script.Name) is not { } entry ? "new"
        : entry.Checksum != script.Checksum ? "changed"
        : "with the group";
}
