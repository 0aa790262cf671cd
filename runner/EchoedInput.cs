using System.Globalization;
using System.Text;

namespace Metrics.Runner;

/// <summary>
/// A value the user gave, as an error message quotes it: control characters (newlines, NUL)
/// written as <c>\u000a</c> so the message stays one line, and at most <see cref="MaxLength"/>
/// characters, so a runaway value does not flood the log.
/// </summary>
public static class EchoedInput
{
    public const int MaxLength = 80;

    public static string Of(string value)
    {
        var text = new StringBuilder();
        foreach (var c in value.Length > MaxLength ? value[..MaxLength] : value)
            text.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c);
        return value.Length > MaxLength ? text + $"... ({value.Length} characters)" : text.ToString();
    }
}
