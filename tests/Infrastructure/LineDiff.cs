using System.Text;

namespace Metrics.Tests.Infrastructure;

/// <summary>A readable line diff (longest common subsequence) for snapshot failures: '-' expected, '+' received.</summary>
public static class LineDiff
{
    private const int MaxLines = 60;

    public static string Describe(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);

        var diff = new StringBuilder();
        var written = 0;
        int x = 0, y = 0;
        void Line(char sign, string text, int lineNumber)
        {
            if (written++ < MaxLines)
                diff.AppendLine($"{sign} {lineNumber,4}: {text}");
        }
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || common[x, y + 1] >= common[x + 1, y]))
                Line('+', b[y], ++y);
            else
                Line('-', a[x], ++x);
        }
        if (written > MaxLines)
            diff.AppendLine($"... {written - MaxLines} more changed lines");
        return diff.ToString();
    }
}
