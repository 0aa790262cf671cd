namespace Metrics.Runner.Migrations;

/// <summary>
/// The scripts cannot be loaded as they are (a bad name, a shared version, a marker a repeatable
/// script may not carry); the message is the one line the command prints. Nothing has run.
/// </summary>
public sealed class ScriptRefusedException(string message) : Exception(message);
