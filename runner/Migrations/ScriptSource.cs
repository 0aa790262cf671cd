using System.Collections.Immutable;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Metrics.Runner.Migrations;

/// <summary>
/// The scripts shipped with the tool: its own embedded copies of the <c>db/</c> folders in
/// <see cref="Folders"/>, or a folder laid out the same way. A versioned script is named by its
/// file (<c>0003_create_refresh_run.sql</c>), a repeatable one by its folder and file
/// (<c>views/sla_breach.sql</c>): that name is its journal key. Refuses a versioned script that is
/// not named <c>NNNN_verb_object.sql</c> or that shares its number with another, so that DbUp's
/// ordinal name order is the numeric order, and a repeatable script marked no-transaction, since
/// the repeatable group runs in one transaction.
/// </summary>
public sealed partial class ScriptSource
{
    /// <summary>The folder of the versioned scripts, the first in <see cref="Folders"/>.</summary>
    public const string VersionedFolder = "migrations";

    /// <summary>
    /// Every script folder, in the order its scripts run: the one place that order is stated. A
    /// script's DbUp run group is its folder's index here, and DbUp's default sorter orders by run
    /// group, then by name (ordinally; within a folder that is the file name). First the versioned
    /// scripts; then the repeatable group: functions (views may call them), views (read tables and
    /// functions, never other views), procedures and triggers (use both), grants (on all of them).
    /// </summary>
    public static readonly ImmutableArray<string> Folders = [VersionedFolder, "functions", "views", "procedures", "triggers", "grants"];

    public ScriptSource(IEnumerable<Script> scripts)
    {
        Scripts = scripts.ToList();
        var duplicate = Scripts.Where(s => s.Kind == ScriptKind.Versioned)
            .GroupBy(s => s.Name[..4]).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ScriptRefusedException(
                $"two versioned scripts share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}. Nothing was applied.");
    }

    /// <summary>In no particular order: DbUp sorts them.</summary>
    public IReadOnlyList<Script> Scripts { get; }

    public static ScriptSource Embedded()
    {
        var assembly = typeof(ScriptSource).Assembly;
        return new ScriptSource(assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Load(assembly, name)));
    }

    /// <summary>
    /// Reads <c>DIR/&lt;folder&gt;/*.sql</c> for each of <see cref="Folders"/> (a checkout's
    /// <c>db/</c> folder) instead of the embedded copies: for a DBA testing new scripts before they
    /// ship. A missing or empty folder holds no scripts.
    /// </summary>
    public static ScriptSource FromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"script folder '{directory}' does not exist");
        return new ScriptSource(Folders
            .Where(folder => Directory.Exists(Path.Combine(directory, folder)))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(directory, folder), "*.sql")
                .Select(path => Create(folder, Path.GetFileName(path), File.ReadAllText(path)))));
    }

    /// <summary>
    /// Builds the script <paramref name="fileName"/> of one of <see cref="Folders"/>: versioned in
    /// <see cref="VersionedFolder"/> (named <c>NNNN_verb_object.sql</c>), repeatable elsewhere.
    /// </summary>
    public static Script Create(string folder, string fileName, string sql)
    {
        var runGroup = Folders.IndexOf(folder);
        if (runGroup < 0)
            throw new ScriptRefusedException($"script {folder}/{fileName} is in no script folder (known: {string.Join(", ", Folders)}). Nothing was applied.");
        if (folder == VersionedFolder)
        {
            if (!VersionedName().IsMatch(fileName))
                throw new ScriptRefusedException(
                    $"versioned script '{fileName}' must be named NNNN_verb_object.sql (four digits, underscore, lowercase words). Nothing was applied.");
            return new Script(fileName, ScriptKind.Versioned, runGroup, sql);
        }
        var script = new Script($"{folder}/{fileName}", ScriptKind.Repeatable, runGroup, sql);
        if (!script.RunsInTransaction)
            throw new ScriptRefusedException(
                $"repeatable script {script.Name} is marked {Script.NoTransactionMarker}, but the repeatable scripts run together in one transaction: " +
                "remove the marker, or move what cannot run in a transaction (create index concurrently) into a versioned migration. Nothing was applied.");
        return script;
    }

    private static Script Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream);
        var slash = resourceName.IndexOf('/');
        return Create(resourceName[..slash], resourceName[(slash + 1)..], reader.ReadToEnd());
    }

    [GeneratedRegex(@"^\d{4}_[a-z0-9_]+\.sql$")]
    private static partial Regex VersionedName();
}
