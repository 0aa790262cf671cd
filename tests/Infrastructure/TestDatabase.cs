using Xunit;

namespace Metrics.Tests.Infrastructure;

/// <summary>
/// A fresh database for one test class (use as <c>IClassFixture&lt;TestDatabase&gt;</c>), cloned
/// from the template holding the app tables; dropped, with its siblings, when the class is done.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private readonly List<string> _siblings = [];

    public PostgresServer Server { get; private set; } = null!;
    public string Name { get; private set; } = "";
    public string ConnectionString => Server.ConnectionString(Name);

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.Instance;
        Name = await Server.CreateDatabaseAsync(PostgresServer.AppTablesTemplate);
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _siblings)
            await Server.DropDatabaseAsync(name);
        if (Name.Length > 0)
            await Server.DropDatabaseAsync(Name);
    }

    /// <summary>Another fresh database on the same server, dropped with this one.</summary>
    public async Task<string> CreateSiblingAsync(string? template = PostgresServer.AppTablesTemplate)
    {
        var name = await Server.CreateDatabaseAsync(template);
        _siblings.Add(name);
        return name;
    }
}
