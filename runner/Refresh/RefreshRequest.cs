using System.Globalization;

namespace Metrics.Runner.Refresh;

/// <summary>
/// What one <c>metrics refresh</c> is asked for: one refresh as of <see cref="AsOf"/> (null: the
/// server's now), or one per UTC day from <see cref="BackfillFrom"/>. Checked before the
/// database is touched.
/// </summary>
public sealed record RefreshRequest(DateTimeOffset? AsOf, DateOnly? BackfillFrom)
{
    /// <summary>Reads --as-of or --backfill-from (not both); neither means one refresh as of now.</summary>
    public static bool TryRead(string? asOfText, string? backfillText, DateTimeOffset now, out RefreshRequest request, out string error)
    {
        request = new RefreshRequest(null, null);
        error = "";
        if (asOfText is not null && backfillText is not null)
        {
            error = "give either --as-of or --backfill-from, not both.";
            return false;
        }
        if (backfillText is not null)
        {
            if (!DateOnly.TryParseExact(backfillText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            {
                error = $"invalid --backfill-from '{backfillText}': give a UTC date such as 2025-10-05.";
                return false;
            }
            if (from > DateOnly.FromDateTime(now.UtcDateTime))
            {
                error = $"--backfill-from {backfillText} is in the future.";
                return false;
            }
            if (from < Refresh.AsOf.Earliest)
            {
                error = $"--backfill-from {backfillText} is before {Refresh.AsOf.Earliest:yyyy-MM-dd}: give a date the app's data can cover.";
                return false;
            }
            request = new RefreshRequest(null, from);
            return true;
        }
        if (asOfText is null)
            return true;
        if (!Refresh.AsOf.TryParse(asOfText, now, out var instant, out error))
            return false;
        request = new RefreshRequest(instant, null);
        return true;
    }
}
