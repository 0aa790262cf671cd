using System.Text.RegularExpressions;
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
        var text = "generatedAt=2026-11-22T02:00:01Z windowEnd=2026-11-22T00:00:00Z again=2026-11-22T02:00:01Z";

        var scrubbed = new Scrubber("timestamp", new Regex(@"\d{4}-\d{2}-\d{2}T[0-9:]+Z")).Apply(text);

        Assert.Equal("generatedAt={timestamp_1} windowEnd={timestamp_2} again={timestamp_1}", scrubbed);
    }

    [Fact]
    public void View_text_escapes_tabs_newlines_and_backslashes_as_copy_does()
    {
        Assert.Equal("/a\\tb\\nfake-row\\\\x", ViewSnapshot.Escape("/a\tb\nfake-row\\x"));
    }

    [Fact]
    public async Task View_text_shows_instants_in_UTC_and_NULL_as_copy_does_while_the_view_runs_in_the_session_time_zone()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await db.Server.ExecuteAsync(db.Name,
            """
            create view metrics.probe as
            select '2025-10-06 20:00:00.5+00'::timestamptz as at, '2025-10-06 20:00:00+00'::timestamptz::date as session_day,
                   'infinity'::timestamptz as never, null::text as nothing
            """);
        await using var auckland = await db.OpenAsync("Pacific/Auckland");

        var probe = (await ViewSnapshot.ReadAllAsync(auckland)).Single(v => v.ViewName == "probe");

        // 20:00 UTC is 09:00 the next day in Auckland (+13): the view's date is Auckland's, the instant UTC
        Assert.Equal("at\tsession_day\tnever\tnothing\n2025-10-06 20:00:00.5+00\t2025-10-07\tinfinity\t\\N\n", probe.Text.ReplaceLineEndings("\n"));
    }
}
