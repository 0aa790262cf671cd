namespace Metrics.Tests.Infrastructure;

/// <summary>The checkout the tests were built from.</summary>
public static class Checkout
{
    /// <summary>The folder holding Metrics.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Metrics.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Metrics.sln above {AppContext.BaseDirectory}: the tests must run from a checkout");
    }
}
