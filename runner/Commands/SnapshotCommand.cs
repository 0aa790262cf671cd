using System.CommandLine;
using Metrics.Runner.Snapshots;

namespace Metrics.Runner.Commands;

/// <summary><c>metrics snapshot</c>: writes every analyst view as sorted text, one file per view, for diffing.</summary>
public sealed class SnapshotCommand : Command
{
    private static readonly Option<DirectoryInfo> Out = new("--out")
    {
        Description = "Folder to write <view>.tsv files into (created when missing).",
        HelpName = "dir",
        DefaultValueFactory = _ => new DirectoryInfo("metrics-snapshot"),
    };

    private readonly DatabaseCommandRunner _runner;

    public SnapshotCommand(DatabaseCommandRunner runner)
        : base("snapshot", "Write every view of the metrics schema as deterministic, sorted text: one file per view.")
    {
        _runner = runner;
        this.AddDatabaseOptions();
        Add(Out);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            var directory = parseResult.GetValue(Out)!;
            await using var connection = await target.OpenAsync(cancellationToken);
            var snapshots = await ViewSnapshot.ReadAllAsync(connection);
            if (snapshots.Count == 0)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {target.Description} has no views in schema metrics: run `metrics migrate` first.");
                return ExitCodes.NotMigrated;
            }
            directory.Create();
            foreach (var snapshot in snapshots)
            {
                var path = Path.Combine(directory.FullName, snapshot.ViewName + ".tsv");
                await File.WriteAllTextAsync(path, snapshot.Text, cancellationToken);
                output.WriteLine($"{path}  ({snapshot.Text.Count(c => c == '\n') - 1} rows)");
            }
            return ExitCodes.Success;
        }));
    }
}
