using System.CommandLine;
using Metrics.Runner.Snapshots;

namespace Metrics.Runner.Commands;

/// <summary><c>metrics snapshot</c>: writes every analyst view as sorted text, one file per view, for diffing.</summary>
public sealed class SnapshotCommand : Command
{
    private static readonly Option<string> Out = new("--out")
    {
        Description = "Folder to write <view>.tsv files into (created when missing).",
        HelpName = "dir",
        DefaultValueFactory = _ => "metrics-snapshot",
    };

    public static readonly CommandHelp Help = new(
        [
            new("metrics snapshot", "every view into metrics-snapshot/<view>.tsv"),
            new("metrics snapshot --out before && metrics refresh && metrics snapshot --out after && diff -r before after", "what a refresh changed"),
        ],
        [ExitCodes.Success, ExitCodes.UnexpectedError, ExitCodes.UsageError, ExitCodes.ConnectionFailed, ExitCodes.NotMigrated]);

    private readonly DatabaseCommandRunner _runner;

    public SnapshotCommand(DatabaseCommandRunner runner)
        : base("snapshot", "Write every view of the metrics schema as deterministic, sorted text: one file per view.")
    {
        _runner = runner;
        this.AddDatabaseOptions();
        Add(Out);
        SetAction((parseResult, cancellationToken) => _runner.RunAsync(parseResult, async (target, output) =>
        {
            var folder = parseResult.GetValue(Out)!;
            await using var connection = await target.OpenAsync(cancellationToken);
            var snapshots = await ViewSnapshot.ReadAllAsync(connection);
            if (snapshots.Count == 0)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {target.Description} has no views in schema metrics: run `metrics migrate` first.");
                return ExitCodes.NotMigrated;
            }
            try
            {
                var directory = Directory.CreateDirectory(folder);
                foreach (var snapshot in snapshots)
                {
                    var path = Path.Combine(directory.FullName, snapshot.ViewName + ".tsv");
                    await File.WriteAllTextAsync(path, snapshot.Text, cancellationToken);
                    output.WriteLine($"{path}  ({snapshot.RowCount} {(snapshot.RowCount == 1 ? "row" : "rows")})");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine(
                    $"error: cannot write the snapshot into --out '{EchoedInput.Of(folder)}': {EchoedInput.Of(e.Message)} Give a folder you may create and write.");
                return ExitCodes.UsageError;
            }
            return ExitCodes.Success;
        }));
    }
}
