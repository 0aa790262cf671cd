using System.Globalization;

namespace Metrics.Runner.Refresh;

/// <summary>
/// The instant a refresh runs as of, read from <c>--as-of</c>: an ISO-8601 instant
/// (<c>2025-10-05T14:30:00Z</c>, an offset, or no zone meaning UTC) or a UTC date
/// (<c>2025-10-05</c> = midnight UTC). Never in the future: the window would be a day not yet over.
/// </summary>
public static class AsOf
{
    /// <summary>No refresh describes days before this: older instants are typos, and some cannot be represented.</summary>
    public static readonly DateOnly Earliest = new(1970, 1, 1);

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm",
    ];

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset asOf, out string error)
    {
        error = "";
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (!DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture, styles, out asOf)
            && !DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, styles, out asOf))
        {
            error = $"invalid --as-of '{EchoedInput.Of(text)}': give an ISO-8601 instant such as 2025-10-05T00:00:00Z or a UTC date such as 2025-10-05.";
            return false;
        }
        if (asOf < new DateTimeOffset(Earliest.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))
        {
            error = $"--as-of {EchoedInput.Of(text)} is before {Earliest:yyyy-MM-dd}: give an instant the app's data can cover.";
            return false;
        }
        if (asOf > now)
        {
            error = $"--as-of {asOf:yyyy-MM-dd'T'HH:mm:ss'Z'} is in the future: a refresh can only describe days that have begun.";
            return false;
        }
        return true;
    }
}
