using System.Net;
using System.Net.Sockets;

namespace Metrics.Tests.Infrastructure;

/// <summary>A local TCP port nothing listens on: a server that cannot be reached.</summary>
public static class ClosedPort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
