using System.Security.Cryptography;
using System.Text;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Migrations;

/// <summary>The released migrations of <see cref="ReleasedMigrations"/> stay as they were released.</summary>
public class Released_migrations
{
    public static TheoryData<string, string, string> Scripts()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (file, sha256, release) in ReleasedMigrations.Scripts)
            data.Add(file, sha256, release);
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Keep_the_text_they_were_released_with(string file, string releasedSha256, string release)
    {
        var path = TestFiles.Path("migrations", file);
        if (!File.Exists(path))
            Assert.Fail($"db/migrations/{file} was released in {release} and is gone: restore it (git checkout {release} -- db/migrations/{file}).");

        var sha256 = Checksum(File.ReadAllText(path));

        if (sha256 != releasedSha256)
            Assert.Fail(
                $"db/migrations/{file} changed after its release in {release} (SHA-256 {sha256}, released {releasedSha256}). " +
                $"Databases ran the released text: restore it (git checkout {release} -- db/migrations/{file}) and make the change in a new migration (docs/migrations.md).");
    }

    [Fact]
    public void Have_checksums_that_ignore_the_checkout_s_line_endings()
    {
        Assert.Equal(Checksum("select 1;\nselect 2;\n"), Checksum("select 1;\r\nselect 2;\r\n"));
        Assert.NotEqual(Checksum("select 1;\nselect 2;\n"), Checksum("select 1;\nselect 3;\n"));
    }

    /// <summary>SHA-256 of the UTF-8 text with its line endings as LF, lower-case hex.</summary>
    private static string Checksum(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))));
}
