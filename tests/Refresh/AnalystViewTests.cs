using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Metrics.Runner.Snapshots;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Refresh;

/// <summary>The analyst-facing surface of schema metrics: contents, documentation, privacy.</summary>
public class AnalystViews
{
    [Fact]
    public async Task Show_the_fixed_data_set_as_of_a_fixed_instant()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await FixedDataSet.LoadAsync(db);
        await db.RefreshAsync(FixedDataSet.AsOf);

        await using var connection = await db.OpenAsync();
        var text = new StringBuilder();
        foreach (var view in await ViewSnapshot.ReadAllAsync(connection))
            text.AppendLine($"== metrics.{view.ViewName}").Append(view.Text).AppendLine();
        text.AppendLine("== facts written into \"DashboardFact\"");
        foreach (var fact in await connection.QueryAsync<string>(
                     """select concat_ws(' | ', "shopDomain", "factType", scope, value::text, metadata::text) from "DashboardFact" where "shopDomain" = '__aggregate__' order by "factType" """))
            text.AppendLine(fact);

        // the refresh's own wall-clock times (generatedAt, generated_at, updated_at) are the only volatile values
        var refreshDay = (await connection.QueryAsync<string>("select to_char(started_at at time zone 'UTC', 'YYYY-MM-DD') from metrics.refresh_run")).Single();
        Snapshot.Verify(text.ToString(), [new Scrubber("refresh_time", new Regex(Regex.Escape(refreshDay) + @"[T ][0-9:.]+(Z|\+00)?"))]);
    }

    [Fact]
    public async Task Document_every_view_and_column()
    {
        await using var db = await MetricsDatabase.CreateAsync();

        var undocumented = await db.QueryAsync<string>(
            """
            select n.nspname || '.' || c.relname || coalesce('.' || a.attname, '')
            from pg_class as c
            inner join pg_namespace as n on n.oid = c.relnamespace
            left join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname in ('metrics', 'metrics_staging')
              and c.relkind in ('v', 'm', 'r')
              and c.relname <> 'schema_journal'
              and (obj_description(c.oid, 'pg_class') is null or (a.attname is not null and col_description(c.oid, a.attnum) is null))
            order by 1
            """);

        Assert.Empty(undocumented);
        Assert.Equal(16, (await db.QueryAsync<int>(
            "select count(*)::int from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace where n.nspname = 'metrics' and c.relkind in ('v', 'm')")).Single());
    }

    [Fact]
    public async Task Never_show_customer_names_message_text_or_operator_emails()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await db.FactAsync("s1.myshopify.com", "dashboard.session.opened", "2025-10-06T08:00:00",
            """{"openedAt": "2025-10-06T08:00:00Z", "operatorEmail": "PII-operator@example.com"}""", """{"requestId": "r1"}""");
        await db.FactAsync("s1.myshopify.com", "chatwoot.escalations", "2025-10-06T09:00:00",
            """
            [{"id": 1, "slaBreached": true, "breachedAt": "2025-10-06T08:00:00Z", "customerName": "PII-customer",
              "suggestedReply": "PII-reply", "messages": [{"content": "PII-message"}]},
             {"id": "PII-bad-id", "slaBreached": true, "customerName": "PII-customer-2"}]
            """,
            """{"slaMinutes": 30}""");
        await db.DecisionAsync("s1.myshopify.com", "chatwoot.reply.t1", "2025-10-06T08:30:00", "chatwoot:1");
        await db.DecisionAsync("s1.myshopify.com", "chatwoot.reply.t1", "2025-10-06T08:31:00", "PII-ref");
        await db.RefreshAsync(FixedDataSet.AsOf);

        await using var connection = await db.OpenAsync();
        var everything = string.Concat((await ViewSnapshot.ReadAllAsync(connection)).Select(v => v.Text));

        Assert.Contains("s1.myshopify.com", everything);
        Assert.DoesNotContain("PII", everything);
        Assert.DoesNotContain("operator@example.com", everything); // the DecisionLog actor of MetricsDatabase
    }
}
