using DbUp.Engine;
using DbUp.Support;

namespace Metrics.Runner.Migrations;

/// <summary>
/// DbUp's script filter with our rule for what runs. Something must run when a versioned script
/// was never applied, or a repeatable script is new or its text changed. Then the pending
/// versioned scripts run, followed by every repeatable script: the whole group, in order, since
/// a view dropped and re-created needs its grants again, and a function replaced may need the
/// views on it re-created. When nothing must run, nothing runs. A versioned script whose text
/// changed never runs again: that is drift (<see cref="MigrationPlan.Drifted"/>).
/// </summary>
public sealed class PendingScriptFilter(Journal journal) : IScriptFilter
{
    public IEnumerable<SqlScript> Filter(IEnumerable<SqlScript> sorted, HashSet<string> executedScriptNames, ScriptNameComparer comparer)
    {
        var appliedChecksums = journal.ReadEntries().ToDictionary(entry => entry.ScriptName, entry => entry.Checksum);
        var scripts = sorted.Cast<Script>().ToList();
        bool MustRun(Script script) =>
            !executedScriptNames.Contains(script.Name)
            || (script.Kind == ScriptKind.Repeatable && appliedChecksums.GetValueOrDefault(script.Name) != script.Checksum);
        return scripts.Any(MustRun) ? scripts.Where(script => script.Kind == ScriptKind.Repeatable || MustRun(script)).ToList() : [];
    }
}
