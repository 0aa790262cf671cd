using Metrics.Tests.Infrastructure;
using Metrics.Runner.Snapshots;
using Xunit;
using Xunit.Sdk;

namespace Metrics.Tests.Snapshots;

public class Snapshot_helper : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metrics-snapshot-").FullName;
    private string Verified => Path.Combine(_directory, "t.verified.txt");
    private string Received => Path.Combine(_directory, "t.received.txt");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Passes_and_removes_a_stale_received_file_when_text_matches()
    {
        File.WriteAllText(Verified, "a\r\nb  \n");
        File.WriteAllText(Received, "old");

        Snapshot.Compare("a\nb\n", Verified, Received, accept: false);

        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void Fails_with_a_diff_and_writes_the_received_file_on_mismatch()
    {
        File.WriteAllText(Verified, "one\ntwo\nthree\n");

        var failure = Assert.Throws<XunitException>(() => Snapshot.Compare("one\n2\nthree\n", Verified, Received, accept: false));

        Assert.Contains("-    2: two", failure.Message);
        Assert.Contains("+    2: 2", failure.Message);
        Assert.Equal("one\n2\nthree\n", File.ReadAllText(Received));
        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(Verified));
    }

    [Fact]
    public void Fails_when_no_verified_file_exists_yet()
    {
        var failure = Assert.Throws<XunitException>(() => Snapshot.Compare("new\n", Verified, Received, accept: false));

        Assert.Contains("No verified snapshot yet", failure.Message);
        Assert.True(File.Exists(Received));
    }

    [Fact]
    public void Accepts_the_received_text_when_asked()
    {
        File.WriteAllText(Verified, "old\n");

        Snapshot.Compare("new\n", Verified, Received, accept: true);

        Assert.Equal("new\n", File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void Scrubbers_number_equal_values_alike()
    {
        var text = "generatedAt=2026-11-22T02:00:01.123Z windowEnd=2026-11-22T00:00:00.000Z again=2026-11-22T02:00:01.123Z";

        var scrubbed = Scrubber.Timestamps().Apply(text);

        Assert.Equal("generatedAt={timestamp_1} windowEnd={timestamp_2} again={timestamp_1}", scrubbed);
    }

    [Fact]
    public void Scrubbers_can_target_one_labelled_value()
    {
        var text = """{"id": 41, "generatedAt": "2026-11-22T02:00:01.123Z", "windowEnd": "2026-11-22T00:00:00.000Z"}""";

        var scrubbed = Scrubber.After("generatedAt", "generated_at").Apply(text);

        Assert.Equal("""{"id": 41, "generatedAt": "{generated_at_1}", "windowEnd": "2026-11-22T00:00:00.000Z"}""", scrubbed);
    }

    [Fact]
    public void View_text_escapes_tabs_newlines_and_backslashes_as_copy_does()
    {
        Assert.Equal("/a\\tb\\nfake-row\\\\x", ViewSnapshot.Escape("/a\tb\nfake-row\\x"));
        Assert.Equal("\\N", ViewSnapshot.Null);
    }
}
