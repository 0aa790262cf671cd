using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Metrics.Tests.Reliability;

/// <summary>One element of a JSON array the generator writes, and the path suffix of the data-quality issue it plants (null: valid).</summary>
public sealed record Planted(string Json, string? Issue);

/// <summary>
/// A seeded mix of valid and malformed app rows covering every field the metrics read, written
/// with explicit ids so that the generator knows each planted issue's source id and json path.
/// Malformed elements are ones the refresh skips (never a fallback it uses), and malformed rows
/// are whole rows that cannot count, so the valid rows alone give the same metrics.
/// Rows are created within the <see cref="Days"/> days from <see cref="Start"/> (14 unless told); <see cref="AsOf"/> refreshes the last 7.
/// </summary>
public sealed class FuzzedAppData
{
    private static readonly string[] BadInstants =
    [
        "\"2025-10-06 08:00:00Z\"", "\"2025-10-06T08:00:00+25:00\"", "\"2025-13-45T10:00:00Z\"", "\"2025-02-30T00:00:00Z\"",
        "\"10000-01-01T00:00:00Z\"", "\"2025-10-06T08:00:00 UTC\"", "\"2025-10-06T24:00:01Z\"", "\"2025-10-06T08:60:00Z\"",
        "\"yesterday\"", "\"\"", "1759737600", "true", "{\"at\": \"2025-10-06T08:00:00Z\"}", "[\"2025-10-06T08:00:00Z\"]",
        "\"2025-10-06T08:00:00Zjunk\"", "\"2025-10-06T08:00:00\\u005a\\u005a\"",
    ];

    private static readonly string[] BadIds =
    [
        "1.5", "2.0", "-3", "1e30", "99999999999999999999", "\" 12\"", "\"12 \"", "\"1 2\"", "\"12a\"", "null", "{\"n\": 1}", "[1]",
        "true", "\"\\u0661\\u0662\"", "\"\"",
    ];

    private static readonly string[] NotObjects = ["null", "\"text\"", "42", "[1, 2]", "true", "\"\\u00e9\\ud83d\\ude00\""];

    private static readonly string[] BlankShops = ["", " ", "\t\n", "\u00a0", "\u3000", "\u2007 "];

    private readonly Random _random;
    private readonly List<string> _shops;
    private int _nextFactId = 1;
    private int _nextDecisionId = 1;

    public FuzzedAppData(int seed, int rows, int bigArrayBytes, DateTime start, int days = 14)
    {
        _random = new Random(seed);
        Start = start;
        Days = days;
        _shops = [.. Enumerable.Range(0, Math.Max(3, rows / 25)).Select(ShopName)];
        for (var i = 0; i < rows; i++)
            AddRow();
        Facts.Add(BigArray(bigArrayBytes));
    }

    public DateTime Start { get; }
    public int Days { get; }
    public string AsOf => Start.AddDays(Days).AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    public List<FuzzedFact> Facts { get; } = [];
    public List<FuzzedDecision> Decisions { get; } = [];
    public int RowCount => Facts.Count + Decisions.Count;

    /// <summary>Every issue planted: (source table, source id, json path), of the rows as they end up (after their updates).</summary>
    public IEnumerable<(string Table, int Id, string Path)> PlantedIssues() =>
        Facts.SelectMany(f => f.Issues().Select(path => ("DashboardFact", f.Id, path)))
            .Concat(Decisions.Where(d => d.IsMalformed && !d.IsIgnored).Select(d => ("DecisionLog", d.Id, "externalRef")));

    public bool HasUpdates => Facts.Any(f => f.Before is not null) || Decisions.Any(d => d.BeforeExternalRef is not null);

    /// <summary>Writes every row (as it was before its update, when it has one), in a random order, ids kept.</summary>
    public Task WriteAllAsync(NpgsqlConnection connection) =>
        WriteAsync(connection, Facts.Select(f => (f, f.Before ?? (f.ValueJson(false), f.MetadataJson(false)))), Decisions.Select(d => (d, d.BeforeExternalRef ?? d.ExternalRef)));

    /// <summary>Writes only the valid rows, valid elements only, in another random order: what the metrics must equal.</summary>
    public Task WriteValidOnlyAsync(NpgsqlConnection connection) =>
        WriteAsync(connection, Facts.Where(f => f.IsValidAsWhole).Select(f => (f, (f.ValueJson(true), f.MetadataJson(true)))),
            Decisions.Where(d => !d.IsMalformed && !d.IsIgnored).Select(d => (d, d.ExternalRef)));

    /// <summary>Updates the rows that have a "before" content to their final content (as the app would, <c>"updatedAt"</c> moved on).</summary>
    public async Task ApplyUpdatesAsync(NpgsqlConnection connection)
    {
        foreach (var fact in Facts.Where(f => f.Before is not null))
            await connection.ExecuteAsync(
                """update "DashboardFact" set value = @value::jsonb, metadata = @metadata::jsonb, "updatedAt" = "updatedAt" + interval '1 hour' where id = @id""",
                new { id = fact.Id, value = fact.ValueJson(false), metadata = fact.MetadataJson(false) });
        foreach (var decision in Decisions.Where(d => d.BeforeExternalRef is not null))
            await connection.ExecuteAsync("""update "DecisionLog" set "externalRef" = @externalRef where id = @id""", new { id = decision.Id, externalRef = decision.ExternalRef });
    }

    private async Task WriteAsync(NpgsqlConnection connection, IEnumerable<(FuzzedFact Fact, (string Value, string? Metadata) Content)> facts,
        IEnumerable<(FuzzedDecision Decision, string? ExternalRef)> decisions)
    {
        await using (var import = await connection.BeginBinaryImportAsync(
                         """copy "DashboardFact" (id, "shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt") from stdin (format binary)"""))
        {
            foreach (var (fact, content) in facts.OrderBy(_ => _random.Next()))
            {
                await import.StartRowAsync();
                await import.WriteAsync(fact.Id, NpgsqlDbType.Integer);
                await import.WriteAsync(fact.Shop, NpgsqlDbType.Text);
                await import.WriteAsync(fact.FactType, NpgsqlDbType.Text);
                await import.WriteAsync("ops", NpgsqlDbType.Text);
                await import.WriteAsync(content.Value, NpgsqlDbType.Jsonb);
                if (content.Metadata is null)
                    await import.WriteNullAsync();
                else
                    await import.WriteAsync(content.Metadata, NpgsqlDbType.Jsonb);
                await import.WriteAsync(DateTime.SpecifyKind(fact.CreatedAt, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp);
                await import.WriteAsync(DateTime.SpecifyKind(fact.CreatedAt, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp);
            }
            await import.CompleteAsync();
        }
        await using (var import = await connection.BeginBinaryImportAsync(
                         """copy "DecisionLog" (id, scope, actor, action, "shopDomain", "externalRef", payload, "createdAt") from stdin (format binary)"""))
        {
            foreach (var (decision, externalRef) in decisions.OrderBy(_ => _random.Next()))
            {
                await import.StartRowAsync();
                await import.WriteAsync(decision.Id, NpgsqlDbType.Integer);
                await import.WriteAsync(decision.Scope, NpgsqlDbType.Text);
                await import.WriteAsync("operator@example.com", NpgsqlDbType.Text);
                await import.WriteAsync(decision.Action, NpgsqlDbType.Text);
                await import.WriteAsync(decision.Shop, NpgsqlDbType.Text);
                await WriteNullableAsync(import, externalRef, NpgsqlDbType.Text);
                await WriteNullableAsync(import, decision.Payload, NpgsqlDbType.Jsonb);
                await import.WriteAsync(DateTime.SpecifyKind(decision.CreatedAt, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp);
            }
            await import.CompleteAsync();
        }
        await connection.ExecuteAsync(
            """
            select setval(pg_get_serial_sequence('"DashboardFact"', 'id'), greatest(1, (select max(id) from "DashboardFact")));
            select setval(pg_get_serial_sequence('"DecisionLog"', 'id'), greatest(1, (select max(id) from "DecisionLog")));
            """);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter import, string? value, NpgsqlDbType type) =>
        value is null ? import.WriteNullAsync() : import.WriteAsync(value, type);

    private string ShopName(int index) => (index % 5) switch
    {
        0 => $"b\u00fccher-\u00df-{index}.myshopify.com",
        1 => $"\u5e97-{index}.myshopify.com",
        2 => $" padded-{index}.myshopify.com ",
        3 when index % 10 == 3 => new string('l', 2000) + $"-{index}.myshopify.com",
        _ => $"shop-{index}.myshopify.com",
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(int percent) => _random.Next(100) < percent;

    private DateTime CreatedAt() => Start.AddSeconds(_random.Next(Days * 24 * 3600)).AddMilliseconds(_random.Next(1000));

    private static string Iso(DateTime instant, string zone = "Z") =>
        "\"" + instant.ToString(zone == "+02:00" ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + zone + "\"";

    private string ValidInstant(DateTime before)
    {
        var instant = before.AddMinutes(-_random.Next(1, 600));
        return _random.Next(3) switch
        {
            0 => Iso(instant),
            1 => Iso(instant.AddHours(2), "+02:00"),
            _ => Iso(instant, ""),
        };
    }

    private string ConversationId(int id) => Chance(70) ? id.ToString(CultureInfo.InvariantCulture) : $"\"{id}\"";

    private void AddRow()
    {
        var roll = _random.Next(100);
        var row = roll switch
        {
            < 20 => Session(),
            < 45 => (object)Decision(),
            < 72 => Escalation(),
            < 88 => Anomalies(),
            < 93 => Ignored(),
            _ => OtherFactType(),
        };
        if (row is FuzzedFact fact)
        {
            if (Chance(10) && fact.Inspected && fact.FactType is "chatwoot.escalations" or "ga.sessions.anomalies")
                fact.Before = fact.FactType == "chatwoot.escalations" ? Escalation(register: false).Content() : Anomalies(register: false).Content();
            if (Chance(5))
                Facts.Add(fact with { Id = _nextFactId++, Before = null });
        }
    }

    private FuzzedFact NewFact(string shop, string factType, bool register)
    {
        var fact = new FuzzedFact(register ? _nextFactId++ : 0, shop, factType, CreatedAt());
        if (register)
            Facts.Add(fact);
        return fact;
    }

    private FuzzedFact Session()
    {
        var fact = NewFact(Pick(_shops), "dashboard.session.opened", true);
        fact.WholeValue = $$"""{"openedAt": {{Iso(fact.CreatedAt)}}, "operatorEmail": "operator@example.com"}""";
        fact.WholeValueIsValid = true;
        return fact;
    }

    private FuzzedDecision Decision()
    {
        var decision = new FuzzedDecision(_nextDecisionId++, Pick(_shops), Chance(85) ? "ops" : "build", "chatwoot.reply.t1", CreatedAt());
        Decisions.Add(decision);
        switch (_random.Next(10))
        {
            case < 5:
                decision.Action = Pick(["chatwoot.reply.t1", "chatwoot.approve_send", "chatwoot.escalate", "chatwoot.mark_resolved"]);
                decision.ExternalRef = $"chatwoot:{(Chance(80) ? "" : "00")}{_random.Next(1, 30)}";
                break;
            case < 8:
                decision.Action = "seo.assignment.rewrite";
                decision.Payload = $$"""{"landingPage": "{{Pick(Pages)}}"}""";
                break;
            default:
                // a chatwoot action whose reference is malformed, by a shop that never opened the dashboard (so that it activates nobody)
                decision.Shop = Chance(20) ? Pick(BlankShops) : $"no-session-{_random.Next(5)}.myshopify.com";
                decision.Scope = "ops";
                decision.ExternalRef = Pick<string?>(["chatwoot:12a", "chatwoot: 12", "chatwoot:", "12", null, "chatwoot:99999999999999999999", "chatwoot:\u0661"]);
                decision.IsMalformed = true;
                decision.IsIgnored = BlankShops.Contains(decision.Shop);
                break;
        }
        if (Chance(8))
            decision.BeforeExternalRef = decision.IsMalformed ? "chatwoot:3" : "chatwoot:nope";
        return decision;
    }

    private static readonly string[] Pages = ["/", "/caf\\u00e9", "/\\ud83d\\ude00-sale", "/a", "/b?x=1", "/\\u00bfque\\u0301"];

    private Planted ValidConversation(DateTime createdAt, bool slaMinutesValid)
    {
        var id = ConversationId(_random.Next(1, 30));
        return _random.Next(5) switch
        {
            // an older row's conversation: no breachedAt, createdAt + slaMinutes (what backfill-chatwoot fills in)
            3 when slaMinutesValid => new($$"""{"id": {{id}}, "slaBreached": true, "createdAt": {{ValidInstant(createdAt)}}, "lastMessageAt": {{ValidInstant(createdAt)}}}""", null),
            0 => new($$"""{"id": {{id}}, "slaBreached": false, "customerName": "Ann", "createdAt": {{ValidInstant(createdAt)}}}""", null),
            1 => new($$"""{"id": {{id}}, "slaBreached": null, "breachedAt": "garbage"}""", null),
            _ => new($$"""{"id": {{id}}, "slaBreached": true, "breachedAt": {{ValidInstant(createdAt)}}, "createdAt": {{ValidInstant(createdAt)}}, "tags": [null, {"x": [null]}], "messages": [{"content": "hi \u00e9"}]}""", null),
        };
    }

    /// <summary>A conversation the refresh must skip, and the path suffix it reports.</summary>
    private Planted MalformedConversation(DateTime createdAt, bool slaMinutesValid) => _random.Next(slaMinutesValid ? 5 : 6) switch
    {
        0 => new(Pick(NotObjects), ""),
        1 => new($$"""{"id": 5, "slaBreached": {{Pick(["\"yes\"", "1", "[]", "{}", "\"true\""])}}, "breachedAt": {{ValidInstant(createdAt)}}}""", ".slaBreached"),
        2 => new($$"""{"id": {{Pick(BadIds)}}, "slaBreached": true, "breachedAt": {{ValidInstant(createdAt)}}}""", ".id"),
        3 => new($$"""{"id": 7, "slaBreached": true, "breachedAt": {{Pick(BadInstants)}}{{Pick(["", ", \"createdAt\": null", ", \"createdAt\": \"2025-10-06 07:00:00\""])}}}""", ".breachedAt"),
        4 => new($$"""{"id": 8, "slaBreached": true, "breachedAt": null, "createdAt": {{Pick([.. BadInstants, "null"])}}}""", ".createdAt"),
        _ => new($$"""{"id": 9, "slaBreached": true, "createdAt": {{ValidInstant(createdAt)}}}""", ".breachedAt"),
    };

    private Planted MalformedBreach(DateTime createdAt) => _random.Next(3) switch
    {
        0 => new(Pick(NotObjects), ""),
        1 => new($$"""{"conversationId": {{Pick(BadIds)}}, "breachedAt": {{ValidInstant(createdAt)}}}""", ".conversationId"),
        _ => new($$"""{"conversationId": {{ConversationId(4)}}{{Pick(["", ", \"breachedAt\": null", ", \"breachedAt\": " + Pick(BadInstants)])}}}""", ".breachedAt"),
    };

    private FuzzedFact Escalation(bool register = true)
    {
        var fact = NewFact(Pick(_shops), "chatwoot.escalations", register);
        var slaMinutesValid = Chance(70);
        fact.SlaMinutes = slaMinutesValid ? Pick(["30", "45", "12.5"]) : Pick<string?>(["\"30\"", "null", null, "1e10", "true"]);
        if (Chance(5))
        {
            fact.WholeValue = Pick(["{\"id\": 1}", "\"[]\"", "17", "null", "{}"]);
            return fact;
        }
        for (var i = _random.Next(0, 6); i > 0; i--)
            fact.Value.Add(Chance(75) ? ValidConversation(fact.CreatedAt, slaMinutesValid) : MalformedConversation(fact.CreatedAt, slaMinutesValid));
        if (Chance(10))
            fact.WholeBreaches = Pick(["{\"conversationId\": 1, \"breachedAt\": \"2025-10-06T08:00:00Z\"}", "\"none\"", "3", "true"]);
        else if (Chance(70))
        {
            fact.Breaches = [];
            for (var i = _random.Next(0, 4); i > 0; i--)
                fact.Breaches.Add(Chance(75)
                    ? new($$"""{"conversationId": {{ConversationId(_random.Next(1, 30))}}, "breachedAt": {{ValidInstant(fact.CreatedAt)}}, "createdAt": null}""", null)
                    : MalformedBreach(fact.CreatedAt));
        }
        return fact;
    }

    private Planted ValidPage() => _random.Next(4) switch
    {
        0 => new($$"""{"landingPage": "{{Pick(Pages)}}", "sessions": 10, "wowDelta": -0.5, "isAnomaly": true}""", null),
        1 => new($$"""{"landingPage": "{{Pick(Pages)}}", "sessions": 10, "wowDelta": {{Pick(["-0.5", "0.1", "-0.2", "null"])}}}""", null),
        2 => new($$"""{"landingPage": "{{Pick(Pages)}}", "wowDelta": "x", "isAnomaly": false}""", null),
        _ => new($$"""{"landingPage": "{{Pick(Pages)}}", "wowDelta": -0.9, "isAnomaly": null, "evidenceUrl": null}""", null),
    };

    private Planted NonAnomalyPage() => new($$"""{"landingPage": "{{Pick(Pages)}}", "wowDelta": 0.3, "isAnomaly": {{Pick(["false", "null"])}}}""", null);

    private Planted MalformedPage() => _random.Next(4) switch
    {
        0 => new(Pick(NotObjects), ""),
        1 => new($$"""{"landingPage": "/x", "wowDelta": -0.5, "isAnomaly": {{Pick(["\"yes\"", "1", "[]", "{}"])}}}""", ".isAnomaly"),
        2 => new($$"""{"landingPage": "/x", "wowDelta": {{Pick(["\"-0.5\"", "{}", "true", "[-1]"])}}{{Pick(["", ", \"isAnomaly\": null"])}}}""", ".wowDelta"),
        _ => new($$"""{{{Pick(["", "\"landingPage\": \"\", ", "\"landingPage\": \"   \", ", "\"landingPage\": null, ", "\"landingPage\": 5, "])}}"wowDelta": -0.5, "isAnomaly": {{Pick(["true", "null"])}}}""", ".landingPage"),
    };

    private FuzzedFact Anomalies(bool register = true)
    {
        var fact = NewFact(Pick(_shops), "ga.sessions.anomalies", register);
        if (Chance(5))
        {
            fact.WholeValue = Pick(["{\"landingPage\": \"/a\", \"isAnomaly\": true}", "\"/a\"", "-0.5", "null"]);
            return fact;
        }
        // a range end that is not a date would fall back to the row's date: only rows without anomalies carry one
        fact.RangeEndMalformed = Chance(10);
        fact.RangeEnd = fact.RangeEndMalformed
            ? Pick(["\"last week\"", "\"2025-13-01\"", "\"2025-10-06T00:00:00Z\"", "20251006", "\"2025-02-30\""])
            : Pick<string?>([$"\"{fact.CreatedAt.AddDays(-_random.Next(3)):yyyy-MM-dd}\"", "null", null]);
        for (var i = _random.Next(0, 5); i > 0; i--)
            fact.Value.Add(Chance(30) ? MalformedPage() : fact.RangeEndMalformed ? NonAnomalyPage() : ValidPage());
        return fact;
    }

    /// <summary>Rows the refresh never inspects: a blank shop (with malformed content), or __aggregate__-like noise of another type.</summary>
    private FuzzedFact Ignored()
    {
        var fact = Chance(50) ? Escalation() : Anomalies();
        fact.Shop = Pick(BlankShops);
        fact.Inspected = false;
        fact.Value.Add(new(Pick(NotObjects), ""));
        return fact;
    }

    private FuzzedFact OtherFactType()
    {
        var fact = NewFact(Pick(_shops), Pick(["shopify.orders", "chatwoot.escalation", "Chatwoot.Escalations", "ga.sessions"]), true);
        fact.WholeValue = Pick(["{\"id\": 1.5}", "[null, \"x\"]", "\"chatwoot:12a\""]);
        fact.WholeValueIsValid = true;
        fact.Inspected = false;
        return fact;
    }

    /// <summary>An escalation row whose value is an array of about <paramref name="bytes"/> bytes: filler that is not a breach, and a few malformed elements.</summary>
    private FuzzedFact BigArray(int bytes)
    {
        var fact = new FuzzedFact(_nextFactId++, Pick(_shops), "chatwoot.escalations", CreatedAt()) { SlaMinutes = "30" };
        var filler = new StringBuilder();
        var length = 0;
        while (length < bytes)
        {
            var element = Chance(1)
                ? MalformedConversation(fact.CreatedAt, slaMinutesValid: true)
                : new($$"""{"id": {{_random.Next(1, 1_000_000)}}, "slaBreached": false, "customerName": "C", "tags": []}""", null);
            fact.Value.Add(element);
            length += element.Json.Length + 2;
        }
        return fact;
    }
}

/// <summary>One generated "DashboardFact" row.</summary>
public sealed record FuzzedFact(int Id, string Shop, string FactType, DateTime CreatedAt)
{
    public string Shop { get; set; } = Shop;
    public List<Planted> Value { get; init; } = [];

    /// <summary>A value that is not an array: malformed (issue at <c>value</c>) unless <see cref="WholeValueIsValid"/> (sessions, other fact types).</summary>
    public string? WholeValue { get; set; }
    public bool WholeValueIsValid { get; set; }
    public string? SlaMinutes { get; set; }
    public List<Planted>? Breaches { get; set; }
    public string? WholeBreaches { get; set; }
    public string? RangeEnd { get; set; }
    public bool RangeEndMalformed { get; set; }

    /// <summary>False for rows the refresh does not look into: blank shops, other fact types.</summary>
    public bool Inspected { get; set; } = true;

    /// <summary>The content the row had when first refreshed, before the app updated it; null when never updated.</summary>
    public (string Value, string? Metadata)? Before { get; set; }

    /// <summary>True when the row can count at all: the valid-only database holds it (with its valid elements).</summary>
    public bool IsValidAsWhole => WholeValueIsValid || Inspected && !RangeEndMalformed && WholeValue is null;

    public (string Value, string? Metadata) Content() => (ValueJson(false), MetadataJson(false));

    public string ValueJson(bool validOnly) =>
        WholeValue ?? "[" + string.Join(", ", Value.Where(e => !validOnly || e.Issue is null).Select(e => e.Json)) + "]";

    public string? MetadataJson(bool validOnly)
    {
        var fields = new List<string>();
        if (SlaMinutes is not null)
            fields.Add($"\"slaMinutes\": {SlaMinutes}");
        if (WholeBreaches is not null && !validOnly)
            fields.Add($"\"breaches\": {WholeBreaches}");
        if (Breaches is not null)
            fields.Add("\"breaches\": [" + string.Join(", ", Breaches.Where(e => !validOnly || e.Issue is null).Select(e => e.Json)) + "]");
        if (RangeEnd is not null)
            fields.Add($"\"range\": {{\"start\": \"2025-01-01\", \"end\": {RangeEnd}}}");
        fields.Add("\"generatedAt\": \"2025-10-06T00:00:00Z\"");
        return "{" + string.Join(", ", fields) + "}";
    }

    public IEnumerable<string> Issues()
    {
        if (!Inspected)
            yield break;
        if (WholeValue is not null && !WholeValueIsValid)
            yield return "value";
        for (var i = 0; i < Value.Count; i++)
            if (Value[i].Issue is { } issue)
                yield return $"value[{i}]{issue}";
        if (WholeBreaches is not null)
            yield return "metadata.breaches";
        for (var i = 0; i < (Breaches?.Count ?? 0); i++)
            if (Breaches![i].Issue is { } issue)
                yield return $"metadata.breaches[{i}]{issue}";
        if (RangeEndMalformed)
            yield return "metadata.range.end";
    }
}

/// <summary>One generated "DecisionLog" row.</summary>
public sealed class FuzzedDecision(int id, string shop, string scope, string action, DateTime createdAt)
{
    public int Id { get; } = id;
    public string Shop { get; set; } = shop;
    public string Scope { get; set; } = scope;
    public string Action { get; set; } = action;
    public DateTime CreatedAt { get; } = createdAt;
    public string? ExternalRef { get; set; }
    public string? Payload { get; set; }

    /// <summary>A chatwoot action whose reference is not chatwoot:&lt;digits&gt; (issue at <c>externalRef</c>).</summary>
    public bool IsMalformed { get; set; }

    /// <summary>Of a blank shop: never inspected, never reported.</summary>
    public bool IsIgnored { get; set; }

    /// <summary>The reference the row had when first refreshed, before the app updated it; null when never updated.</summary>
    public string? BeforeExternalRef { get; set; }
}
