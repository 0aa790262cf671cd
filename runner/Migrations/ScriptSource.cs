using System.Reflection;
using System.Text.RegularExpressions;

namespace Metrics.Runner.Migrations;

/// <summary>
/// The scripts to apply: versioned ones ordered by their numeric prefix, then repeatable ones
/// by name. The tool reads its own embedded copies of <c>db/migrations</c> and <c>db/repeatable</c>;
/// tests pass scripts of their own.
/// </summary>
public sealed partial class ScriptSource
{
    public ScriptSource(IEnumerable<Script> scripts)
    {
        var all = scripts.ToList();
        var duplicate = all.Where(s => s.Kind == ScriptKind.Versioned)
            .GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException(
                $"two versioned scripts share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}");
        Scripts =
        [
            .. all.Where(s => s.Kind == ScriptKind.Versioned).OrderBy(s => s.Version),
            .. all.Where(s => s.Kind == ScriptKind.Repeatable).OrderBy(s => s.Name, StringComparer.Ordinal),
        ];
    }

    /// <summary>In the order they are applied.</summary>
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

    /// <summary>Builds a script from its file name: <c>NNNN_verb_object.sql</c> is versioned, anything else repeatable.</summary>
    public static Script Create(string fileName, ScriptKind kind, string sql)
    {
        if (kind == ScriptKind.Repeatable)
            return new Script(fileName, kind, null, sql);
        var match = VersionedName().Match(fileName);
        if (!match.Success)
            throw new InvalidOperationException(
                $"versioned script '{fileName}' must be named NNNN_verb_object.sql (digits, underscore, lowercase words)");
        return new Script(fileName, kind, int.Parse(match.Groups[1].Value), sql);
    }

    private static Script Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream);
        var (folder, fileName) = (resourceName[..resourceName.IndexOf('/')], resourceName[(resourceName.IndexOf('/') + 1)..]);
        var kind = folder == "repeatable" ? ScriptKind.Repeatable : ScriptKind.Versioned;
        return Create(fileName, kind, reader.ReadToEnd());
    }

    [GeneratedRegex(@"^(\d+)_[a-z0-9_]+\.sql$")]
    private static partial Regex VersionedName();
}
