-- metrics.backfill_chatwoot(dry_run): the seed's one-time repair of the app's older
-- chatwoot.escalations rows, run by `metrics backfill-chatwoot [--dry-run]`. Re-applied by
-- `metrics migrate` whenever this file changes (repeatable script).
--
-- Why it writes app rows: everything else in this package only reads "DashboardFact" and
-- "DecisionLog". The contract allows one exception, this explicit command a DBA runs on purpose.
-- Rows written before the breach telemetry lack the conversations' createdAt / breachedAt
-- and metadata.breaches (docs/metrics.md, the fact shapes the app writes); this fills them in SQL,
-- in the caller's single transaction, so the rows read like the ones the app writes today.
--
-- For each "DashboardFact" row with "factType" = 'chatwoot.escalations' whose value is a JSON
-- array (any shop; elements that are not objects, other keys and the element order are kept
-- exactly as they are):
--   * createdAt, when absent or JSON null, becomes lastMessageAt when that is a valid instant
--     (metrics.parse_instant), else created_at when it is a JSON number (epoch seconds).
--     A non-null createdAt that is invalid is left alone: it is bad data, reported by
--     metrics.data_quality_issue, and not ours to guess.
--   * breachedAt, when absent or JSON null and slaBreached is JSON true, becomes the (possibly
--     just filled) createdAt + metadata.slaMinutes minutes, when both are valid. slaMinutes
--     is read by the refresh's own rule (metrics.sla_interval), so a filled breachedAt is the
--     very instant the refresh already derived: the backfill adds information and never moves
--     a breach.
--   * Instants are written as metrics.format_instant (ISO-8601 UTC, milliseconds, Z), and
--     only when that text reads back as the same instant (years 0001-9999).
--   * metadata.breaches is kept in step: one entry {conversationId, breachedAt, createdAt} per
--     conversation with slaBreached true, a valid id and a valid breachedAt (the element's
--     JSON values copied unchanged; the earliest breachedAt when a conversation is listed
--     twice), sorted by breachedAt, then conversation id. Choices where the issue is silent:
--       - An existing entry is replaced only by the entry of the same conversation; entries
--         of conversations the value does not list (or cannot be matched: malformed ids) are
--         kept and sorted in (invalid instants last). Deleting them would make the refresh
--         lose breaches it reads today.
--       - The list is rewritten only when its set of entries changes; an order-only
--         difference is not a reason to rewrite an app row.
--       - A row without metadata.breaches (absent or null) gets the list when it has at least
--         one entry, even if its conversations were already complete ("in step"); a row
--         with nothing to list is left alone rather than given an empty list (both read as
--         "no breach").
--       - metadata.breaches that is present but not an array is left alone (bad data
--         reported elsewhere); the row's conversations are still filled.
--       - metadata that is null or not an object is treated as {} only when the list must be
--         written.
--   * Only rows whose value or metadata actually changes are updated; they get "updatedAt" =
--     the write time (UTC, milliseconds). "createdAt", other keys, other rows and other fact
--     types are never touched. Malformed JSON never raises (the lenient parse functions).
--   * Idempotent: a second run finds nothing to change.
--
-- It waits for the refresh lock (key 7235002, as metrics.refresh and
-- runner/Database/AdvisoryLocks.cs) so it never interleaves with a refresh; a dry run takes
-- no lock and changes nothing. metrics.backfill_chatwoot_changes() shows the change set row
-- by row for a DBA who wants to review it before the real run.

-- The change set: one row per escalation row the backfill would change, with its old and new
-- value and metadata. Reads only; the grain is "DashboardFact".id.
create or replace function metrics.backfill_chatwoot_changes()
returns table (
    fact_id bigint,
    value jsonb,
    metadata jsonb,
    new_value jsonb,
    new_metadata jsonb,
    conversations_filled integer
)
language sql
stable
as $function$
with escalation as (
    select
        fact.id as fact_id,
        fact.value,
        fact.metadata,
        metrics.sla_interval(fact.metadata -> 'slaMinutes') as sla_interval,
        case
            when jsonb_typeof(fact.metadata -> 'breaches') = 'array' then 'array'
            when coalesce(fact.metadata -> 'breaches', 'null') = 'null' then 'missing'
            else 'malformed'
        end as breaches_kind
    from ${app_schema}."DashboardFact" as fact
    where fact."factType" = 'chatwoot.escalations'
      and jsonb_typeof(fact.value) = 'array'
),

-- Value elements in order, with the two sources of a missing createdAt parsed. Epoch seconds
-- beyond 1e11 (year 5138) are not converted: to_timestamp would raise far beyond that.
conversation as (
    select
        escalation.fact_id,
        escalation.sla_interval,
        element.ordinality,
        element.conversation,
        jsonb_typeof(element.conversation) = 'object' as is_object,
        metrics.parse_instant(element.conversation -> 'lastMessageAt') as last_message_at,
        case
            when abs(metrics.parse_number(element.conversation -> 'created_at')) < 100000000000
                then to_timestamp(metrics.parse_number(element.conversation -> 'created_at')::double precision)
        end as created_at_epoch
    from escalation
    cross join lateral jsonb_array_elements(escalation.value) with ordinality as element(conversation, ordinality)
),

-- createdAt to write (text), when it is missing and a source is valid and writable.
created_fill as (
    select
        conversation.*,
        case
            when is_object and coalesce(conversation -> 'createdAt', 'null') = 'null' then
                metrics.format_instant(case
                    when last_message_at >= timestamptz '0001-01-01 00:00:00+00'
                        and last_message_at < timestamptz '10000-01-01 00:00:00+00'
                        then last_message_at
                    when created_at_epoch >= timestamptz '0001-01-01 00:00:00+00'
                        and created_at_epoch < timestamptz '10000-01-01 00:00:00+00'
                        then created_at_epoch
                end)
        end as filled_created_at
    from conversation
),

-- createdAt (as it will be) + slaMinutes: the breach instant the refresh derives.
derived_breach as (
    select
        created_fill.*,
        metrics.parse_instant(coalesce(to_jsonb(filled_created_at), conversation -> 'createdAt')) + sla_interval as derived_breached_at
    from created_fill
),

-- breachedAt to write (text), when it is missing, the conversation breached, and the derived
-- instant is writable.
breached_fill as (
    select
        derived_breach.*,
        case
            when is_object
                and conversation -> 'slaBreached' = 'true'
                and coalesce(conversation -> 'breachedAt', 'null') = 'null'
                and derived_breached_at >= timestamptz '0001-01-01 00:00:00+00'
                and derived_breached_at < timestamptz '10000-01-01 00:00:00+00'
                then metrics.format_instant(derived_breached_at)
        end as filled_breached_at
    from derived_breach
),

filled_conversation as (
    select
        fact_id,
        ordinality,
        filled_created_at is not null or filled_breached_at is not null as is_filled,
        case
            when filled_created_at is null and filled_breached_at is null then conversation
            else conversation
                || case when filled_created_at is not null then jsonb_build_object('createdAt', filled_created_at) else '{}' end
                || case when filled_breached_at is not null then jsonb_build_object('breachedAt', filled_breached_at) else '{}' end
        end as new_conversation
    from breached_fill
),

-- One metadata.breaches entry per breached conversation of the filled value (source_rank 0).
value_entry as (
    select distinct on (fact_id, conversation_id)
        fact_id,
        conversation_id,
        breached_at,
        0 as source_rank,
        ordinality,
        jsonb_build_object(
            'conversationId', new_conversation -> 'id',
            'breachedAt', new_conversation -> 'breachedAt',
            'createdAt', new_conversation -> 'createdAt') as entry
    from (
        select
            fact_id,
            ordinality,
            new_conversation,
            metrics.parse_conversation_id(new_conversation -> 'id') as conversation_id,
            metrics.parse_instant(new_conversation -> 'breachedAt') as breached_at
        from filled_conversation
        where jsonb_typeof(new_conversation) = 'object'
          and new_conversation -> 'slaBreached' = 'true'
    ) as breached_conversation
    where conversation_id is not null
      and breached_at is not null
    order by fact_id, conversation_id, breached_at, ordinality
),

-- The entries the row lists today (source_rank 1).
existing_entry as (
    select
        escalation.fact_id,
        metrics.parse_conversation_id(element.entry -> 'conversationId') as conversation_id,
        metrics.parse_instant(element.entry -> 'breachedAt') as breached_at,
        1 as source_rank,
        element.ordinality,
        element.entry
    from escalation
    cross join lateral jsonb_array_elements(
        case when escalation.breaches_kind = 'array' then escalation.metadata -> 'breaches' else '[]' end
    ) with ordinality as element(entry, ordinality)
),

-- New entries, plus the existing ones of conversations that have no new entry.
merged_entry as (
    select * from value_entry
    union all
    select * from existing_entry
    where not exists (
        select
        from value_entry
        where value_entry.fact_id = existing_entry.fact_id
          and value_entry.conversation_id = existing_entry.conversation_id
    )
),

value_change as (
    select
        fact_id,
        jsonb_agg(new_conversation order by ordinality) as new_value,
        count(*) filter (where is_filled)::integer as conversations_filled
    from filled_conversation
    group by fact_id
),

-- Both lists in the same order, so that equal lists mean the same set of entries.
merged_breaches as (
    select
        fact_id,
        jsonb_agg(entry order by breached_at nulls last, conversation_id nulls last, source_rank, ordinality) as breaches
    from merged_entry
    group by fact_id
),

existing_breaches as (
    select
        fact_id,
        jsonb_agg(entry order by breached_at nulls last, conversation_id nulls last, source_rank, ordinality) as breaches
    from existing_entry
    group by fact_id
),

row_change as (
    select
        escalation.fact_id,
        escalation.value,
        escalation.metadata,
        case when value_change.conversations_filled > 0 then value_change.new_value else escalation.value end as new_value,
        case escalation.breaches_kind
            when 'array' then coalesce(merged_breaches.breaches, '[]') <> coalesce(existing_breaches.breaches, '[]')
            when 'missing' then merged_breaches.breaches is not null
            else false
        end as is_breaches_out_of_step,
        coalesce(merged_breaches.breaches, '[]') as breaches,
        coalesce(value_change.conversations_filled, 0) as conversations_filled
    from escalation
    left join value_change on value_change.fact_id = escalation.fact_id
    left join merged_breaches on merged_breaches.fact_id = escalation.fact_id
    left join existing_breaches on existing_breaches.fact_id = escalation.fact_id
)

select
    fact_id,
    value,
    metadata,
    new_value,
    case
        when is_breaches_out_of_step
            then case when jsonb_typeof(metadata) = 'object' then metadata else '{}' end
                 || jsonb_build_object('breaches', breaches)
        else metadata
    end as new_metadata,
    conversations_filled
from row_change
where conversations_filled > 0
   or is_breaches_out_of_step
order by fact_id
$function$;

comment on function metrics.backfill_chatwoot_changes() is
    'The change set of metrics.backfill_chatwoot, one row per chatwoot.escalations row it would change: old and new value and metadata, and how many conversations get a createdAt or breachedAt. Reads only; for reviewing a backfill before running it.';

revoke all on function metrics.backfill_chatwoot_changes() from public;

create or replace function metrics.backfill_chatwoot(dry_run boolean default false)
returns table (rows_changed integer, conversations_changed integer)
language plpgsql
as $function$
declare
    written_at timestamp(3);
begin
    if dry_run is null then
        raise exception 'metrics.backfill_chatwoot: dry_run must be true or false, not NULL'
            using errcode = 'invalid_parameter_value';
    end if;

    if dry_run then
        return query
        select count(*)::integer, coalesce(sum(change.conversations_filled), 0)::integer
        from metrics.backfill_chatwoot_changes() as change;
        return;
    end if;

    -- Never interleave with a refresh (key shared with metrics.refresh and the runner).
    -- Waits up to the session's lock_timeout, then fails with SQLSTATE 55P03.
    perform pg_advisory_xact_lock(7235002);

    written_at := date_trunc('milliseconds', clock_timestamp() at time zone 'UTC');

    -- The old-value guard skips a row someone else changed since the change set was read
    -- (it is then neither written nor counted); the app only inserts these rows, so in
    -- practice every row of the change set is written.
    return query
    with updated as (
        update ${app_schema}."DashboardFact" as fact
        set value = change.new_value,
            metadata = change.new_metadata,
            "updatedAt" = written_at
        from metrics.backfill_chatwoot_changes() as change
        where fact.id = change.fact_id
          and fact.value = change.value
          and fact.metadata is not distinct from change.metadata
        returning change.conversations_filled
    )

    select count(*)::integer, coalesce(sum(updated.conversations_filled), 0)::integer
    from updated;
end
$function$;

comment on function metrics.backfill_chatwoot(boolean) is
    'One-time repair of chatwoot.escalations rows (the only code that writes app input rows): fills each conversation''s missing createdAt (from lastMessageAt, else created_at epoch seconds) and, where slaBreached, its missing breachedAt (createdAt + metadata.slaMinutes), and keeps metadata.breaches in step (one entry per breached conversation, sorted by breachedAt). Updates only rows that change, setting "updatedAt"; idempotent; waits for the refresh lock. Returns rows_changed and conversations_changed; with dry_run true it only counts them.';

revoke all on function metrics.backfill_chatwoot(boolean) from public;
