using System.Reflection;
using System.Text.RegularExpressions;

namespace Metrics.Runner.Migrations;

/// <summary>
/// The scripts shipped with the tool: its own embedded copies of <c>db/migrations</c> and
/// <c>db/repeatable</c>, or a folder laid out the same way. Refuses a versioned script that is not
/// named <c>NNNN_verb_object.sql</c> or that shares its number with another, so that DbUp's
/// ordinal name order is the numeric order.
/// </summary>
public sealed partial class ScriptSource
{
    public ScriptSource(IEnumerable<Script> scripts)
    {
        Scripts = scripts.ToList();
        var duplicate = Scripts.Where(s => s.Kind == ScriptKind.Versioned)
            .GroupBy(s => s.Name[..4]).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException(
                $"two versioned scripts share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}");
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
    /// Reads <c>DIR/migrations/*.sql</c> and <c>DIR/repeatable/*.sql</c> (a checkout's <c>db/</c>
    /// folder) instead of the embedded copies: for a DBA testing new scripts before they ship.
    /// </summary>
    public static ScriptSource FromDirectory(string directory)
    {
        IEnumerable<Script> Read(string folder, ScriptKind kind) =>
            Directory.Exists(Path.Combine(directory, folder))
                ? Directory.EnumerateFiles(Path.Combine(directory, folder), "*.sql")
                    .Select(path => Create(Path.GetFileName(path), kind, File.ReadAllText(path)))
                : [];
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"script folder '{directory}' does not exist");
        return new ScriptSource([.. Read("migrations", ScriptKind.Versioned), .. Read("repeatable", ScriptKind.Repeatable)]);
    }

    /// <summary>Builds a script of the given kind; a versioned one must be named <c>NNNN_verb_object.sql</c>.</summary>
    public static Script Create(string fileName, ScriptKind kind, string sql)
    {
        if (kind == ScriptKind.Versioned && !VersionedName().IsMatch(fileName))
            throw new InvalidOperationException(
                $"versioned script '{fileName}' must be named NNNN_verb_object.sql (four digits, underscore, lowercase words)");
        return new Script(fileName, kind, sql);
    }

    private static Script Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream);
        var (folder, fileName) = (resourceName[..resourceName.IndexOf('/')], resourceName[(resourceName.IndexOf('/') + 1)..]);
        var kind = folder == "repeatable" ? ScriptKind.Repeatable : ScriptKind.Versioned;
        return Create(fileName, kind, reader.ReadToEnd());
    }

    [GeneratedRegex(@"^\d{4}_[a-z0-9_]+\.sql$")]
    private static partial Regex VersionedName();
}
