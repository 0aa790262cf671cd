using System.Globalization;
using System.Text.Json;

namespace Metrics.Runner;

/// <summary>How <c>--json</c> prints its result object: indented, instants as ISO-8601 UTC with milliseconds.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>"2025-10-12T02:00:00.000Z" for a UTC <see cref="DateTime"/>.</summary>
    public static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
