using System.Security.Cryptography;
using System.Text;

namespace Metrics.Runner.Migrations;

/// <summary>
/// SHA-256 of a script after normalising what a checkout on another OS or editor changes
/// without changing the SQL: a byte-order mark, CRLF/CR line endings, trailing whitespace
/// on a line, and trailing blank lines.
/// </summary>
public static class ScriptChecksum
{
    public static string Compute(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(sql))));

    public static string Normalize(string sql)
    {
        var lines = sql.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd());
        return string.Join('\n', lines).TrimEnd('\n');
    }
}
