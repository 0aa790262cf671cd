using Dapper;
using Metrics.Runner.Database;

namespace Metrics.Runner.Refresh;

/// <summary>
/// The instants a backfill refreshes as of: midnight of every UTC day from its first day up to
/// the server's today, then the server's now, so that the views end as of now. The server's
/// clock, which the refresh itself uses, decides what today is: a client clock off by minutes
/// (or a run across midnight) cannot skip a day.
/// </summary>
public static class BackfillPlan
{
    public static async Task<IReadOnlyList<DateTimeOffset>> ReadAsync(DatabaseTarget target, DateOnly from, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync(cancellationToken);
        var serverNow = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition("select now()", cancellationToken: cancellationToken));
        return Instants(from, new DateTimeOffset(serverNow, TimeSpan.Zero));
    }

    public static IReadOnlyList<DateTimeOffset> Instants(DateOnly from, DateTimeOffset serverNow)
    {
        var instants = new List<DateTimeOffset>();
        for (var day = from; day < DateOnly.FromDateTime(serverNow.UtcDateTime); day = day.AddDays(1))
            instants.Add(Midnight(day));
        instants.Add(serverNow);
        return instants;
    }

    public static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
