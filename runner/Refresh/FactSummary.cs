using System.Text.Json.Nodes;

namespace Metrics.Runner.Refresh;

/// <summary>One readable line per written fact, for people reading the refresh's output.</summary>
public static class FactSummary
{
    public static string Describe(WrittenFact fact)
    {
        var v = fact.Value;
        string Number(string name, string unit = "") => v[name] is { } node ? node.ToJsonString() + unit : "n/a";
        return fact.FactType switch
        {
            "metrics.activation.rolling7d" =>
                $"activation        {Number("activatedShops")} of {Number("totalActiveShops")} new shops acted within 7 days: rate {Number("activationRate")}",
            "metrics.sla_resolution.rolling7d" =>
                $"SLA resolution    {Number("sampleSize")} breaches answered: median {Number("medianMinutes", " min")}, p90 {Number("p90Minutes", " min")}; " +
                $"{fact.Metadata["openBreaches"]?.ToJsonString() ?? "?"} still open",
            "metrics.anomaly_response.rolling7d" =>
                $"anomaly response  {Number("respondedWithin24h")} of {Number("totalAnomalies")} anomalies answered within 24 h: rate {Number("responseRate")}",
            _ => $"{fact.FactType} {v.ToJsonString()}",
        };
    }
}
