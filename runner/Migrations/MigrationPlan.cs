namespace Metrics.Runner.Migrations;

/// <summary>A versioned script whose text changed after it was applied.</summary>
public sealed record DriftedScript(string Name, string AppliedChecksum, string CurrentChecksum);

/// <summary>
/// What the journal and the shipped scripts say together: what is applied, what would run
/// next, and what drifted. Computed, never stored.
/// </summary>
public sealed record MigrationPlan(
    IReadOnlyList<JournalEntry> Applied,
    IReadOnlyList<Script> Pending,
    IReadOnlyList<DriftedScript> Drifted,
    IReadOnlyList<string> AppliedButNotShipped)
{
    public bool IsUpToDate => Pending.Count == 0 && Drifted.Count == 0;

    public static MigrationPlan Create(ScriptSource source, IReadOnlyList<JournalEntry> journal)
    {
        var applied = journal.ToDictionary(entry => entry.ScriptName);
        var pending = new List<Script>();
        var drifted = new List<DriftedScript>();
        foreach (var script in source.Scripts)
        {
            if (!applied.TryGetValue(script.Name, out var entry))
                pending.Add(script);
            else if (entry.Checksum != script.Checksum)
            {
                if (script.Kind == ScriptKind.Repeatable)
                    pending.Add(script);
                else
                    drifted.Add(new DriftedScript(script.Name, entry.Checksum, script.Checksum));
            }
        }
        if (pending.Count > 0)
            pending = source.Scripts.Where(script => pending.Contains(script) || script.RerunsWithMigrations).ToList();
        var shipped = source.Scripts.Select(s => s.Name).ToHashSet();
        return new MigrationPlan(journal, pending, drifted, journal.Select(e => e.ScriptName).Where(n => !shipped.Contains(n)).ToList());
    }
}
