namespace Metrics.Tests.Infrastructure;

/// <summary>
/// Lines a whole test run shows once, such as which server it uses. The test host's own output
/// is not shown by <c>dotnet test</c>, so they are appended to the file <c>METRICS_TEST_RUN_LOG</c>
/// names, which <c>build.sh test</c> prints after the run; without it they go to stderr.
/// </summary>
public static class TestRunLog
{
    public const string FileVariable = "METRICS_TEST_RUN_LOG";

    public static void Write(string line)
    {
        if (Environment.GetEnvironmentVariable(FileVariable) is { Length: > 0 } file)
            File.AppendAllText(file, line + Environment.NewLine);
        else
            Console.Error.WriteLine(line);
    }
}
