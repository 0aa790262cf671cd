using Xunit;

namespace Metrics.Tests.Docs;

/// <summary>
/// Every SQL example marked <c>&lt;!-- example: &lt;state&gt; --&gt;</c> in the analysts' pages runs as
/// the analysts' role on the demo data in that state, and the output block after it shows what the
/// query returns, as psql prints it; rows left out are an explicit <c>...</c> line (the rows shown
/// before and after it are kept).
/// </summary>
public class Executed_examples(DemoDatabases demo) : IClassFixture<DemoDatabases>
{
    [Theory]
    [InlineData("analysts.md")]
    [InlineData("metrics.md")]
    public async Task Show_what_their_queries_return_on_the_demo_data(string page)
    {
        var doc = MarkdownDoc.Read(page);
        var examples = doc.Markers("example").ToList();
        Assert.NotEmpty(examples);

        foreach (var (state, marker) in examples)
        {
            if (!doc.Lines[marker + 1].StartsWith("```sql", StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"{doc.Name}:{marker + 2}: an example marker must be followed by a ```sql block");
            var (query, afterQuery) = doc.FencedBlock(marker + 1);
            await using var reader = await demo.OpenAsReaderAsync(state);
            var output = await AlignedTable.QueryAsync(reader, string.Join('\n', query));

            var what = $"the output of the example (data state \"{state}\") is not what its query returns";
            if (afterQuery < doc.Lines.Count && doc.Lines[afterQuery] == "```")
            {
                var (shown, _) = doc.FencedBlock(afterQuery);
                var elided = shown.IndexOf(AlignedTable.Elided);
                var expected = elided < 0 ? output : AlignedTable.Elide(output, elided - 2, shown.Count - elided - 1);
                doc.Expect(afterQuery + 1, shown.Count, expected, what);
            }
            else
                doc.Expect(afterQuery, 0, ["```", .. output, "```"], what + " (no output block yet)");
        }
        doc.Verify();
    }
}
