using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Metrics.Tests.Infrastructure;
using Npgsql;

namespace Metrics.Tests.Docs;

/// <summary>
/// The shell commands of an executed runbook example, run as an operator would run them: each
/// <c>$ </c> line by <c>bash -c</c>, in a temp folder, with <c>metrics</c> the built runner
/// (<c>dotnet metrics.dll</c>) and <c>DATABASE_URL</c> a fresh database holding the demo data of
/// db/samples/demo_data.sql in the state the example names. The runner refreshes as of the
/// server's now(), so the data is generated relative to the real today (the demo's rows are the
/// same whatever the day); what the commands print is then moved into the frame the docs show:
/// see <see cref="ToDocFrame"/> and <see cref="Normalize"/>.
/// </summary>
public static partial class DemoRuns
{
    /// <summary>The database the docs show: <c>metrics_owner@localhost:5432/shop</c>, password <c>change-me</c>.</summary>
    public const string DocLogin = "metrics_owner", DocHostPort = "localhost:5432", DocDatabase = "shop", DocPassword = "change-me";

    /// <summary>The day the docs' outputs were taken on (the same as the analysts' examples').</summary>
    public static readonly DateOnly DocToday = DateOnly.FromDateTime(DateTime.Parse(DemoDatabases.Today, CultureInfo.InvariantCulture));

    /// <summary>The states a marker <c>&lt;!-- run: &lt;state&gt; --&gt;</c> names; each starts from the demo data as of today.</summary>
    private static readonly Dictionary<string, (string Template, string Sql)> States = new()
    {
        // the app tables and the demo data, never migrated: what the first `metrics migrate` meets
        ["unmigrated"] = (PostgresServer.AppTablesTemplate, ""),
        // migrated, never refreshed
        ["migrated"] = (PostgresServer.MigratedTemplate, ""),
        // migrated and refreshed as of now: a good night
        ["refreshed"] = (PostgresServer.MigratedTemplate, "call metrics.refresh()"),
        // the last good refresh ran on the day before yesterday: yesterday's night failed
        ["refreshed the day before yesterday"] = (PostgresServer.MigratedTemplate,
            "call metrics.refresh(((now() at time zone 'UTC')::date - 2 + time '02:00') at time zone 'UTC')"),
        // refreshed, then one change-capture trigger disabled and one dropped (status exits 12)
        ["refreshed, two triggers off"] = (PostgresServer.MigratedTemplate,
            "call metrics.refresh(); alter table \"DashboardFact\" disable trigger metrics_fact_deleted; drop trigger metrics_fact_inserted on \"DashboardFact\""),
    };

    public static IReadOnlyCollection<string> StateNames => States.Keys;

    /// <summary>A database in <paramref name="state"/>; its <see cref="Run.Today"/> is the server's UTC date.</summary>
    public static async Task<Run> StartAsync(string state)
    {
        if (!States.TryGetValue(state, out var how))
            throw new ArgumentException($"unknown state '{state}' (known: {string.Join(", ", States.Keys)})", nameof(state));
        var db = how.Template == PostgresServer.MigratedTemplate ? await MetricsDatabase.CreateAsync() : await MetricsDatabase.CreateUnmigratedAsync();
        DateOnly today;
        await using (var connection = await db.OpenAsync())
        {
            today = DateOnly.FromDateTime(await connection.ExecuteScalarAsync<DateTime>("select (now() at time zone 'UTC')::date"));
            await connection.ExecuteAsync("select set_config('demo.today', @today, false)", new { today = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00" });
            var script = await File.ReadAllTextAsync(TestFiles.Path("samples", "demo_data.sql"));
            await connection.ExecuteAsync(script.Replace("${app_schema}", "\"public\""), commandTimeout: 300);
            if (how.Sql.Length > 0)
                await connection.ExecuteAsync(how.Sql, commandTimeout: 300);
        }
        return new Run(db, today);
    }

    /// <summary>One database in one state, and the commands run on it in order.</summary>
    public sealed class Run(MetricsDatabase db, DateOnly today) : IAsyncDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("metrics-docs-run-").FullName;

        public DateOnly Today => today;

        /// <summary>Days to add to a date the tool printed to get the date the docs show.</summary>
        private int Shift => DocToday.DayNumber - today.DayNumber;

        private NpgsqlConnectionStringBuilder Connection => new(db.ConnectionString);

        /// <summary>
        /// Runs one command line of a doc (dates and the doc's login, host and database replaced by
        /// the test's) and returns what the doc shows for it, in the doc's frame: stdout; when it
        /// exits non-zero, then the runner's <c>error:</c> and <c>warning:</c> lines of stderr and
        /// <c>(exit code N)</c>.
        /// </summary>
        public async Task<List<string>> ExecuteAsync(string commandLine)
        {
            var connection = Connection;
            var command = ShiftDates(commandLine, -Shift)
                .Replace($"{DocLogin}:{DocPassword}@", $"{Uri.EscapeDataString(connection.Username!)}:{Uri.EscapeDataString(connection.Password ?? "")}@")
                .Replace($"{DocLogin}:", $"{Uri.EscapeDataString(connection.Username!)}:")
                .Replace($"@{DocHostPort}/{DocDatabase}", $"@{connection.Host}:{connection.Port}/{db.Name}");
            var start = new ProcessStartInfo("bash")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = _folder,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("metrics() { dotnet \"$METRICS_DLL\" \"$@\"; }\n" + command);
            foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("PG", StringComparison.Ordinal)).ToList())
                start.Environment.Remove(name);
            start.Environment["METRICS_DLL"] = TestFiles.Path("metrics.dll");
            start.Environment["DATABASE_URL"] = db.ConnectionString;

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{command}` did not finish within 5 minutes");
            }

            var shown = Lines(await output);
            if (process.ExitCode != 0)
            {
                shown.AddRange(Lines(await error).Where(line => RunnerMessage().IsMatch(line)));
                shown.Add($"(exit code {process.ExitCode})");
            }
            return shown.Select(ToDocFrame).ToList();
        }

        /// <summary>
        /// A line the tool printed, as the docs show it: the test's login, host, port and database
        /// as <c>metrics_owner@localhost:5432/shop</c>, and every date moved by the days between
        /// the test's today and <see cref="DocToday"/>.
        /// </summary>
        private string ToDocFrame(string line)
        {
            var connection = Connection;
            return ShiftDates(line, Shift)
                .Replace($"{connection.Username}@{connection.Host}:{connection.Port}/{db.Name}", $"{DocLogin}@{DocHostPort}/{DocDatabase}")
                .Replace($"by {connection.Username}", $"by {DocLogin}")
                .Replace(db.Name, DocDatabase);
        }

        public async ValueTask DisposeAsync()
        {
            await db.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static List<string> Lines(string text)
    {
        text = text.ReplaceLineEndings("\n").TrimEnd('\n');
        return text.Length == 0 ? [] : text.Split('\n').Select(line => line.TrimEnd()).ToList();
    }

    private static string ShiftDates(string text, int days) => days == 0 ? text : IsoDate().Replace(text, match =>
        DateOnly.ParseExact(match.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>
    /// What the comparison ignores, in the doc and in the output alike, because it differs from
    /// run to run: times of day (<c>13:00:20</c>, <c>13:00:21.652</c>), durations (<c>573 ms</c>,
    /// <c>"durationMs": 95</c>), ages (<c>13 h old</c>, <c>12.9 h old</c>) and the server's version
    /// (<c>PostgreSQL 15.18 (Debian ...)</c>). Dates are compared (moved to the docs' day first).
    /// </summary>
    public static string Normalize(string line)
    {
        line = TimeOfDay().Replace(line, "hh:mm");
        line = Milliseconds().Replace(line, " # ms");
        line = DurationMs().Replace(line, "\"durationMs\": #");
        line = HoursOld().Replace(line, "# h old");
        return ServerVersion().Replace(line, "PostgreSQL #");
    }

    [GeneratedRegex(@"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^(error|warning): ")]
    private static partial Regex RunnerMessage();

    [GeneratedRegex(@"(?<!\d)\d{2}:\d{2}(:\d{2}(\.\d+)?)?")]
    private static partial Regex TimeOfDay();

    [GeneratedRegex(@" *\b\d+ ms\b")]
    private static partial Regex Milliseconds();

    [GeneratedRegex(@"""durationMs"": \d+")]
    private static partial Regex DurationMs();

    [GeneratedRegex(@"\b\d+(\.\d+)? h old")]
    private static partial Regex HoursOld();

    [GeneratedRegex(@"PostgreSQL \d+(\.\d+)*( \([^)]*\))?")]
    private static partial Regex ServerVersion();
}
