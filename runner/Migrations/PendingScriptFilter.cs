using DbUp.Engine;
using DbUp.Support;

namespace Metrics.Runner.Migrations;

/// <summary>
/// DbUp's script filter with our rule for what runs: a script never applied, a repeatable script
/// whose text changed, and, whenever anything runs, each repeatable script marked
/// <see cref="Script.RerunWithMigrationsMarker"/>. A versioned script whose text changed never
/// runs again: that is drift (<see cref="MigrationPlan.Drifted"/>).
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
        return scripts.Any(MustRun) ? scripts.Where(script => MustRun(script) || script.RerunsWithMigrations).ToList() : [];
    }
}
