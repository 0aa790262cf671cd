using Dapper;
using Metrics.Runner;
using Metrics.Runner.Database;
using Metrics.Tests.Infrastructure;
using Xunit;

namespace Metrics.Tests.Backfill;

/// <summary>
/// <c>metrics backfill-chatwoot</c> (SQL function metrics.backfill_chatwoot): old
/// chatwoot.escalations rows get their conversations' missing createdAt / breachedAt and a
/// metadata.breaches in step, once, and nothing else changes. Epoch seconds used below:
/// 1759737600 = 2025-10-06T08:00:00Z, 1759741200 = 2025-10-06T09:00:00Z.
/// </summary>
public class Backfilling_old_chatwoot_escalations
{
    private const string Escalations = "chatwoot.escalations";

    [Fact]
    public async Task Fills_createdAt_from_lastMessageAt_else_from_created_at_epoch_seconds()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var id = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """
            [{"id": 1, "slaBreached": false, "lastMessageAt": "2025-10-06T09:15:00+02:00", "created_at": 1759737600},
             {"id": 2, "slaBreached": false, "createdAt": null, "lastMessageAt": "garbage", "created_at": 1759737600.5},
             {"id": 3, "slaBreached": false, "createdAt": "2025-10-01T00:00:00Z", "lastMessageAt": "2025-10-06T09:00:00Z"},
             {"id": 4, "slaBreached": false, "lastMessageAt": "2025-10-06 09:00:00Z", "created_at": "1759737600"}]
            """,
            """{"slaMinutes": 30, "count": 4}""");

        var result = await BackfillAsync(db);

        // 1: lastMessageAt 09:15+02:00 wins over created_at = 07:15Z; 2: lastMessageAt invalid,
        // created_at 1759737600.5 = 08:00:00.500Z (createdAt null counts as missing);
        // 3: has a createdAt; 4: lastMessageAt has a space, created_at is a string: left alone.
        Assert.Equal((1, 2), result);
        var row = await RowAsync(db, id);
        Assert.Equal(await JsonAsync(db,
            """
            [{"id": 1, "slaBreached": false, "lastMessageAt": "2025-10-06T09:15:00+02:00", "created_at": 1759737600, "createdAt": "2025-10-06T07:15:00.000Z"},
             {"id": 2, "slaBreached": false, "createdAt": "2025-10-06T08:00:00.500Z", "lastMessageAt": "garbage", "created_at": 1759737600.5},
             {"id": 3, "slaBreached": false, "createdAt": "2025-10-01T00:00:00Z", "lastMessageAt": "2025-10-06T09:00:00Z"},
             {"id": 4, "slaBreached": false, "lastMessageAt": "2025-10-06 09:00:00Z", "created_at": "1759737600"}]
            """), row.Value);
        // no breached conversation: nothing to list, so no metadata.breaches is added
        Assert.Equal(await JsonAsync(db, """{"slaMinutes": 30, "count": 4}"""), row.Metadata);
    }

    [Fact]
    public async Task Fills_breachedAt_as_createdAt_plus_slaMinutes_for_breached_conversations_only()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var id = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """
            [{"id": 10, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z"},
             {"id": 11, "slaBreached": true, "lastMessageAt": "2025-10-06T09:00:00.123Z"},
             {"id": 12, "slaBreached": false, "createdAt": "2025-10-06T08:00:00Z"},
             {"id": 13, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:10:00Z"},
             {"id": 14, "slaBreached": "true", "createdAt": "2025-10-06T08:00:00Z"}]
            """,
            """{"slaMinutes": 45}""");

        var result = await BackfillAsync(db);

        // 10: 08:00 + 45 min = 08:45; 11: createdAt filled from lastMessageAt (09:00:00.123),
        // then + 45 min = 09:45:00.123; 12 did not breach; 13 has its breachedAt; 14's
        // slaBreached is the string "true", not JSON true. Two conversations changed.
        Assert.Equal((1, 2), result);
        var row = await RowAsync(db, id);
        Assert.Equal(await JsonAsync(db,
            """
            [{"id": 10, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:45:00.000Z"},
             {"id": 11, "slaBreached": true, "lastMessageAt": "2025-10-06T09:00:00.123Z", "createdAt": "2025-10-06T09:00:00.123Z", "breachedAt": "2025-10-06T09:45:00.123Z"},
             {"id": 12, "slaBreached": false, "createdAt": "2025-10-06T08:00:00Z"},
             {"id": 13, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:10:00Z"},
             {"id": 14, "slaBreached": "true", "createdAt": "2025-10-06T08:00:00Z"}]
            """), row.Value);
    }

    [Fact]
    public async Task Rebuilds_metadata_breaches_with_one_entry_per_breached_conversation_sorted_by_breachedAt()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var id = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """
            [{"id": 7, "slaBreached": true, "createdAt": "2025-10-06T09:00:00Z"},
             {"id": "5", "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:20:00Z"},
             {"id": 6, "slaBreached": false, "createdAt": "2025-10-06T07:00:00Z"},
             {"id": 7, "slaBreached": true, "createdAt": "2025-10-06T09:00:00Z", "breachedAt": "2025-10-06T09:40:00Z"},
             {"id": 8, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:20:00Z"}]
            """,
            """{"slaMinutes": 30, "count": 5, "generatedAt": "2025-10-06T10:00:00Z"}""");

        var result = await BackfillAsync(db);

        // Only the first 7 is filled (09:00 + 30 = 09:30). Entries: "5" and 8 both at 08:20
        // (tie broken by id, 5 < 8, "5" kept as the string it is), then 7 once, at its earliest
        // instant 09:30 (not 09:40); 6 did not breach. Other metadata keys stay.
        Assert.Equal((1, 1), result);
        var row = await RowAsync(db, id);
        Assert.Equal(await JsonAsync(db,
            """
            {"slaMinutes": 30, "count": 5, "generatedAt": "2025-10-06T10:00:00Z", "breaches": [
              {"conversationId": "5", "breachedAt": "2025-10-06T08:20:00Z", "createdAt": "2025-10-06T08:00:00Z"},
              {"conversationId": 8, "breachedAt": "2025-10-06T08:20:00Z", "createdAt": "2025-10-06T08:00:00Z"},
              {"conversationId": 7, "breachedAt": "2025-10-06T09:30:00.000Z", "createdAt": "2025-10-06T09:00:00Z"}]}
            """), row.Metadata);
    }

    [Fact]
    public async Task Replaces_the_entry_of_a_filled_conversation_and_keeps_entries_of_conversations_the_value_does_not_list()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var id = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 10, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z"}]""",
            """
            {"slaMinutes": 30, "breaches": [
              {"conversationId": 10, "breachedAt": null, "createdAt": "2025-10-06T08:00:00Z"},
              {"conversationId": 9, "breachedAt": "2025-10-06T08:05:00Z", "createdAt": "2025-10-06T07:35:00Z"}]}
            """);

        var result = await BackfillAsync(db);

        // 10 gets breachedAt 08:30, and its entry replaces the one without an instant; 9 is
        // listed only in metadata (the refresh counts it): kept, and sorted first (08:05).
        Assert.Equal((1, 1), result);
        var row = await RowAsync(db, id);
        Assert.Equal(await JsonAsync(db,
            """
            {"slaMinutes": 30, "breaches": [
              {"conversationId": 9, "breachedAt": "2025-10-06T08:05:00Z", "createdAt": "2025-10-06T07:35:00Z"},
              {"conversationId": 10, "breachedAt": "2025-10-06T08:30:00.000Z", "createdAt": "2025-10-06T08:00:00Z"}]}
            """), row.Metadata);
    }

    [Fact]
    public async Task Brings_metadata_breaches_in_step_on_a_row_whose_conversations_are_already_complete()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var complete = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 3, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:30:00Z"}]""",
            """{"slaMinutes": 30}""");
        var nothingBreached = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 4, "slaBreached": false, "createdAt": "2025-10-06T08:00:00Z"}]""",
            """{"slaMinutes": 30}""");

        var result = await BackfillAsync(db);

        // the first row changes (its list is added) with no conversation filled; the second has
        // nothing to list and is left alone
        Assert.Equal((1, 0), result);
        Assert.Equal(await JsonAsync(db,
            """
            {"slaMinutes": 30, "breaches": [
              {"conversationId": 3, "breachedAt": "2025-10-06T08:30:00Z", "createdAt": "2025-10-06T08:00:00Z"}]}
            """), (await RowAsync(db, complete)).Metadata);
        Assert.Equal(await JsonAsync(db, """{"slaMinutes": 30}"""), (await RowAsync(db, nothingBreached)).Metadata);
    }

    [Fact]
    public async Task Leaves_other_keys_other_elements_and_their_order_untouched()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var id = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """
            ["not a conversation", 42, null, [1, 2],
             {"id": 1, "inboxId": 7, "status": "open", "customerName": "Ann", "slaBreached": false,
              "lastMessageAt": "2025-10-06T09:00:00Z", "tags": ["vip"], "suggestedReplyId": "t1",
              "suggestedReply": "Hello", "messages": [{"body": "hi", "createdAt": null}]},
             {"id": 2, "createdAt": null}]
            """,
            """{"slaMinutes": 30, "count": 6, "generatedAt": "2025-10-06T10:00:00Z"}""");

        var result = await BackfillAsync(db);

        // only element 4 changes (createdAt = lastMessageAt); the nested messages[].createdAt
        // null is not a conversation's; element 5 has no source for createdAt
        Assert.Equal((1, 1), result);
        var row = await RowAsync(db, id);
        Assert.Equal(await JsonAsync(db,
            """
            ["not a conversation", 42, null, [1, 2],
             {"id": 1, "inboxId": 7, "status": "open", "customerName": "Ann", "slaBreached": false,
              "lastMessageAt": "2025-10-06T09:00:00Z", "tags": ["vip"], "suggestedReplyId": "t1",
              "suggestedReply": "Hello", "messages": [{"body": "hi", "createdAt": null}],
              "createdAt": "2025-10-06T09:00:00.000Z"},
             {"id": 2, "createdAt": null}]
            """), row.Value);
        Assert.Equal(await JsonAsync(db, """{"slaMinutes": 30, "count": 6, "generatedAt": "2025-10-06T10:00:00Z"}"""), row.Metadata);
    }

    [Fact]
    public async Task Changes_nothing_when_run_a_second_time()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await InsertMixedRowsAsync(db);

        var first = await BackfillAsync(db);
        var afterFirst = await AllRowsAsync(db);
        var second = await BackfillAsync(db);

        Assert.Equal(MixedRowsChanges, first);
        Assert.Equal((0, 0), second);
        Assert.Equal(afterFirst, await AllRowsAsync(db));
    }

    [Fact]
    public async Task Dry_run_reports_the_counts_of_the_real_run_and_changes_nothing()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await InsertMixedRowsAsync(db);
        var before = await AllRowsAsync(db);

        var dryRun = await BackfillAsync(db, dryRun: true);

        Assert.Equal(MixedRowsChanges, dryRun);
        Assert.Equal(before, await AllRowsAsync(db));
        Assert.Equal(dryRun, await BackfillAsync(db));
    }

    [Fact]
    public async Task Never_touches_other_fact_types()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        // shaped like an old escalations row, but of other types
        const string lookalike = """[{"id": 1, "slaBreached": true, "lastMessageAt": "2025-10-06T09:00:00Z"}]""";
        await db.FactAsync("s1", "chatwoot.csat.weekly", "2025-10-06T10:00:00", lookalike, """{"slaMinutes": 30}""");
        await db.FactAsync("s1", "shopify.orders.daily", "2025-10-06T10:00:00", lookalike, null);
        await db.FactAsync("g", "ga.sessions.anomalies", "2025-10-07T06:00:00",
            """[{"landingPage": "/ok", "wowDelta": -0.5, "isAnomaly": true}]""",
            """{"propertyId": "p1", "range": {"start": "2025-09-30", "end": "2025-10-06"}}""");
        await db.SessionOpenedAsync("s1", "2025-10-06T10:00:00");
        var before = await AllRowsAsync(db);

        var result = await BackfillAsync(db);

        Assert.Equal((0, 0), result);
        Assert.Equal(before, await AllRowsAsync(db));
    }

    [Fact]
    public async Task Sets_updatedAt_on_changed_rows_only_and_never_touches_createdAt()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var changed = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 1, "slaBreached": false, "lastMessageAt": "2025-10-06T09:00:00Z"}]""", """{"slaMinutes": 30}""");
        var unchanged = await db.FactAsync("s1", Escalations, "2025-10-06T11:00:00",
            """[{"id": 2, "slaBreached": false, "createdAt": "2025-10-06T09:00:00Z"}]""", """{"slaMinutes": 30}""");
        var serverNow = (await db.QueryAsync<DateTime>("select now() at time zone 'UTC'")).Single();

        await BackfillAsync(db);

        // FactAsync wrote "updatedAt" = "createdAt"
        var changedRow = await RowAsync(db, changed);
        Assert.Equal(new DateTime(2025, 10, 6, 10, 0, 0), changedRow.CreatedAt);
        Assert.InRange(changedRow.UpdatedAt, serverNow.AddSeconds(-1), serverNow.AddMinutes(5));
        Assert.Equal(0, changedRow.UpdatedAt.Ticks % TimeSpan.TicksPerMillisecond);
        var unchangedRow = await RowAsync(db, unchanged);
        Assert.Equal(new DateTime(2025, 10, 6, 11, 0, 0), unchangedRow.CreatedAt);
        Assert.Equal(new DateTime(2025, 10, 6, 11, 0, 0), unchangedRow.UpdatedAt);
    }

    [Fact]
    public async Task Does_not_fail_on_malformed_rows_and_still_fills_their_valid_conversations()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        var notAnArray = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00", """{"id": 1, "lastMessageAt": "2025-10-06T09:00:00Z"}""", "null");
        var aString = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00", "\"oops\"", null);
        var garbage = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """
            [{"id": 1, "slaBreached": true, "createdAt": "garbage", "lastMessageAt": "2025-10-06T09:00:00Z"},
             {"id": 2, "slaBreached": true, "lastMessageAt": "2025-13-45T10:00:00Z", "created_at": 1e30},
             {"id": 3, "slaBreached": true, "created_at": -1e15},
             {"id": 4, "slaBreached": true, "lastMessageAt": "9999-12-31T23:00:00-02:00"},
             {"id": 1.5, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:30:00Z"}]
            """,
            """{"slaMinutes": 30, "breaches": "oops"}""");
        var slaString = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 5, "slaBreached": true, "created_at": 1759741200}]""",
            """{"slaMinutes": "30"}""");
        var metadataNotObject = await db.FactAsync("s1", Escalations, "2025-10-06T10:00:00",
            """[{"id": 6, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:30:00Z"}]""",
            "[1, 2]");
        var before = await AllRowsAsync(db);

        var result = await BackfillAsync(db);

        // notAnArray, aString: not arrays, untouched. garbage: 1 has an invalid non-null
        // createdAt (left alone, so no breachedAt); 2 and 3 have no valid source (an epoch of
        // 1e30 or -1e15 s names no writable instant); 4's lastMessageAt is year 10000 in UTC:
        // not writable; 1.5 is complete. Nothing changes there, and "breaches": "oops" is left
        // as it is. slaString: createdAt = 09:00 from created_at, no breachedAt (slaMinutes is a
        // string), nothing to list. metadataNotObject: complete, its list is written into {}.
        Assert.Equal((2, 1), result);
        var after = await AllRowsAsync(db);
        foreach (var id in new[] { notAnArray, aString, garbage })
            Assert.Equal(before.Single(r => r.Id == id), after.Single(r => r.Id == id));
        Assert.Equal(await JsonAsync(db, """[{"id": 5, "slaBreached": true, "created_at": 1759741200, "createdAt": "2025-10-06T09:00:00.000Z"}]"""),
            (await RowAsync(db, slaString)).Value);
        Assert.Equal(await JsonAsync(db, """{"slaMinutes": "30"}"""), (await RowAsync(db, slaString)).Metadata);
        Assert.Equal(await JsonAsync(db,
            """{"breaches": [{"conversationId": 6, "breachedAt": "2025-10-06T08:30:00Z", "createdAt": "2025-10-06T08:00:00Z"}]}"""),
            (await RowAsync(db, metadataNotObject)).Metadata);
    }

    [Fact]
    public async Task Cli_dry_run_prints_what_would_change_and_changes_nothing()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await InsertMixedRowsAsync(db);
        var before = await AllRowsAsync(db);

        var run = await CliRun.RunAsync(["backfill-chatwoot", "--connection", db.ConnectionString, "--dry-run"]);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("backfill-chatwoot (dry run): would change 2 row(s), 2 conversation(s); nothing was changed.", run.Output.Trim());
        Assert.Equal(before, await AllRowsAsync(db));
    }

    [Fact]
    public async Task Cli_run_prints_what_changed_and_a_second_run_changes_nothing()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await InsertMixedRowsAsync(db);

        var first = await CliRun.RunAsync(["backfill-chatwoot", "--connection", db.ConnectionString]);
        var second = await CliRun.RunAsync(["backfill-chatwoot", "--connection", db.ConnectionString]);

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.Equal("backfill-chatwoot: changed 2 row(s), 2 conversation(s)", first.Output.Trim());
        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        Assert.Equal("backfill-chatwoot: changed 0 row(s), 0 conversation(s)", second.Output.Trim());
    }

    [Fact]
    public async Task Cli_says_to_migrate_first_on_a_database_without_the_metrics_schema()
    {
        await using var db = await MetricsDatabase.CreateUnmigratedAsync();

        var run = await CliRun.RunAsync(["backfill-chatwoot", "--connection", db.ConnectionString]);

        Assert.Equal(ExitCodes.NotMigrated, run.ExitCode);
        Assert.Contains("run `metrics migrate` first", run.Error);
    }

    [Fact]
    public async Task Cli_waits_for_a_running_refresh_and_gives_up_without_changing_anything()
    {
        await using var db = await MetricsDatabase.CreateAsync();
        await InsertMixedRowsAsync(db);
        var before = await AllRowsAsync(db);
        await using var holder = await db.OpenAsync();
        await holder.ExecuteAsync("select pg_advisory_lock(@key)", new { key = AdvisoryLocks.RefreshKey });

        var run = await CliRun.RunAsync(["backfill-chatwoot", "--connection", db.ConnectionString, "--lock-timeout", "1"]);

        Assert.Equal(ExitCodes.LockTimeout, run.ExitCode);
        Assert.Contains("a refresh is running", run.Error);
        Assert.Equal(before, await AllRowsAsync(db));
    }

    /// <summary>Changes of <see cref="InsertMixedRowsAsync"/>: (rows, conversations).</summary>
    private static readonly (int Rows, int Conversations) MixedRowsChanges = (2, 2);

    /// <summary>
    /// An old row (conversation 1: createdAt 09:00 from lastMessageAt, breachedAt 09:30;
    /// conversation 2: createdAt 09:00 from created_at), a complete row without a list (its list
    /// is added), a row already in step, and a row whose value is not an array: 2 rows and 2
    /// conversations change.
    /// </summary>
    private static async Task InsertMixedRowsAsync(MetricsDatabase db)
    {
        await db.FactAsync("s1", Escalations, "2025-09-20T10:00:00",
            """
            [{"id": 1, "slaBreached": true, "lastMessageAt": "2025-10-06T09:00:00Z"},
             {"id": 2, "slaBreached": false, "created_at": 1759741200}]
            """,
            """{"slaMinutes": 30, "count": 2}""");
        await db.FactAsync("s2", Escalations, "2025-09-21T10:00:00",
            """[{"id": 3, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:30:00Z"}]""",
            """{"slaMinutes": 30}""");
        await db.FactAsync("s2", Escalations, "2025-10-06T10:00:00",
            """[{"id": 4, "slaBreached": true, "createdAt": "2025-10-06T08:00:00Z", "breachedAt": "2025-10-06T08:30:00Z"}]""",
            """{"slaMinutes": 30, "breaches": [{"conversationId": 4, "breachedAt": "2025-10-06T08:30:00Z", "createdAt": "2025-10-06T08:00:00Z"}]}""");
        await db.FactAsync("s3", Escalations, "2025-10-06T10:00:00", """{"broken": true}""", null);
    }

    private static async Task<(int Rows, int Conversations)> BackfillAsync(MetricsDatabase db, bool dryRun = false) =>
        (await db.QueryAsync<(int, int)>(
            "select rows_changed, conversations_changed from metrics.backfill_chatwoot(@dryRun)", new { dryRun })).Single();

    private sealed record FactRow(int Id, string FactType, string Value, string? Metadata, DateTime CreatedAt, DateTime UpdatedAt);

    private static async Task<FactRow> RowAsync(MetricsDatabase db, int id) =>
        (await AllRowsAsync(db)).Single(row => row.Id == id);

    /// <summary>Every "DashboardFact" row as stored (jsonb text), by id.</summary>
    private static Task<List<FactRow>> AllRowsAsync(MetricsDatabase db) =>
        db.QueryAsync<FactRow>(
            """
            select id as Id, "factType" as FactType, value::text as Value, metadata::text as Metadata,
                   "createdAt" as CreatedAt, "updatedAt" as UpdatedAt
            from "DashboardFact"
            order by id
            """);

    /// <summary>JSON as PostgreSQL stores it (jsonb key order and spacing), for comparing with a stored value.</summary>
    private static async Task<string> JsonAsync(MetricsDatabase db, string json) =>
        (await db.QueryAsync<string>("select @json::jsonb::text", new { json })).Single();
}
