namespace Metrics.Runner.Migrations;

/// <summary>A script's SQL failed; the message is the one line migrate prints (script, line, SQLSTATE, what to do).</summary>
public sealed class ScriptFailedException(string message, Exception inner) : Exception(message, inner);
