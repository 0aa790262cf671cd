namespace Metrics.Tests.Infrastructure;

/// <summary>Files the test project copies next to its binaries (db/fixtures, db/samples).</summary>
public static class TestFiles
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, .. parts]);
}
