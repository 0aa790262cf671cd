using System.CommandLine;

namespace Metrics.Runner.Commands;

/// <summary>Options every database command takes.</summary>
public static class CommonOptions
{
    public const string ConnectionVariable = "DATABASE_URL";

    public static readonly Option<string?> Connection = new("--connection")
    {
        Description = $"Npgsql connection string or postgres:// URL (default: ${ConnectionVariable}). A URL's ?schema= names the app schema.",
        HelpName = "connection",
    };

    public static readonly Option<string?> AppSchema = new("--app-schema")
    {
        Description = "Schema holding \"DashboardFact\" and \"DecisionLog\" (default: the URL's ?schema=, else public).",
        HelpName = "schema",
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print full error details (stack traces) on failure; migrate also prints DbUp's own log on stderr.",
    };

    public static readonly Option<int> LockTimeout = new("--lock-timeout")
    {
        Description = "Seconds to wait for another run holding the lock before giving up.",
        HelpName = "seconds",
        DefaultValueFactory = _ => 60,
        Validators = { result => { if (result.GetValueOrDefault<int>() < 0) result.AddError("--lock-timeout must be 0 or more seconds."); } },
    };

    public static void AddDatabaseOptions(this Command command)
    {
        command.Add(Connection);
        command.Add(AppSchema);
        command.Add(Verbose);
    }
}
