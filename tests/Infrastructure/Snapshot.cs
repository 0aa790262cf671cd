using System.Runtime.CompilerServices;
using System.Text;
using Xunit.Sdk;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// Verify-style snapshots: the expected text lives in <c>ClassName.Method.verified.txt</c> next to
/// the test's source file. On a mismatch the actual text is written to <c>*.received.txt</c>
/// (git-ignored) and the test fails with a line diff; with <c>UPDATE_SNAPSHOTS=1</c> the received
/// text is accepted as the new verified file instead. Scrubbers run first, so volatile values
/// (generated times, serial ids) never reach a snapshot.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "UPDATE_SNAPSHOTS";

    public static void Verify(
        string actual,
        IEnumerable<Scrubber>? scrubbers = null,
        string? name = null,
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string method = "")
    {
        var text = Normalize((scrubbers ?? []).Aggregate(actual, (current, scrubber) => scrubber.Apply(current)));
        var directory = Path.GetDirectoryName(sourceFile)!;
        var stem = Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(sourceFile)}.{name ?? method}");
        Compare(text, stem + ".verified.txt", stem + ".received.txt", Environment.GetEnvironmentVariable(AcceptVariable) == "1");
    }

    /// <summary>Compares <paramref name="text"/> with the verified file; public for the helper's own tests.</summary>
    public static void Compare(string text, string verifiedPath, string receivedPath, bool accept)
    {
        var verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (verified == text)
        {
            File.Delete(receivedPath);
            return;
        }
        if (accept)
        {
            File.WriteAllText(verifiedPath, text);
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, text);
        var message = new StringBuilder()
            .AppendLine(verified is null
                ? $"No verified snapshot yet: {Path.GetFileName(verifiedPath)}. Review {Path.GetFileName(receivedPath)} and accept it (rename it, or rerun with {AcceptVariable}=1)."
                : $"Snapshot mismatch: {Path.GetFileName(verifiedPath)}. Received text is in {Path.GetFileName(receivedPath)}; accept with {AcceptVariable}=1 if the change is intended.")
            .AppendLine(LineDiff.Describe(verified ?? "", text));
        throw new XunitException(message.ToString());
    }

    /// <summary>Line endings and trailing whitespace never make a snapshot differ.</summary>
    private static string Normalize(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd())).TrimEnd('\n') + "\n";
}
