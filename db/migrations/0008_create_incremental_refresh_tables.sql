-- Incremental refresh: parse each app row once, keep the parsed rows and the metrics per
-- entity and per day in tables, and maintain them from the rows that changed since the last
-- refresh instead of recomputing all history every night (docs/architecture.md, "The
-- refresh"). Replaces the staging views of 0004, the materialized views of 0005 and the
-- daily views of 0006; the analyst views keep their names, columns and meaning.
--
-- 1. The lenient parsing functions of 0002 become plain SQL expressions that PostgreSQL
--    inlines (same rules, same results; they were STRICT or PL/pgSQL, which it cannot inline).
-- 2. Change capture: statement-level triggers on "DashboardFact" and "DecisionLog" append the
--    ids of inserted, updated and deleted input rows to a log in the same transaction as the
--    change. A refresh consumes the log rows it can see; a change committed later stays in the
--    log for the next refresh, so a late commit is never lost.
-- 3. The parsing views (metrics_staging.input_fact, session_opened, ops_decision,
--    escalation_breach, anomaly_element) now read every app row, without the data cutoff: the
--    refresh runs them for the changed rows only and stores the result in *_input tables and
--    parse_issue. The cutoff is applied when the entities are derived.
-- 4. The entities (one row per shop, breach, anomaly) and the daily aggregates are tables in
--    metrics_staging, written only by metrics.refresh; the analyst views in schema metrics
--    read them and add the derived columns.
--
-- After this migration the views are empty until the next refresh, which rebuilds everything
-- from the app tables once (refresh_mode 'full'); later refreshes are incremental.

-- 1. Inlinable parsing -----------------------------------------------------------------------
-- Same rules and results as 0002, as single SQL expressions that PostgreSQL inlines into the
-- parsing views (a STRICT SQL function with a CASE body, or a PL/pgSQL one, is called per
-- value instead). An ISO-8601 instant is now checked field by field by one regular
-- expression (ranges included) and then read by PostgreSQL's own input routine with its zone
-- written out, so that the session's TimeZone never applies; that routine is STABLE, so these
-- functions are declared STABLE (they are used in no index).

create or replace function metrics.instant_from_iso(iso text)
returns timestamptz
language sql
stable parallel safe
as $$
    select case
        when iso !~ '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-](0[0-9]|1[0-5]):[0-5][0-9])?$' then null
        -- the 29th to 31st of a month too short for it (2025-02-29, 2025-04-31)
        when substr(iso, 9, 2) > '28' collate "C"
            and substr(iso, 9, 2)::integer > extract(day from make_date(substr(iso, 1, 4)::integer, substr(iso, 6, 2)::integer, 1) + interval '1 month - 1 day')
            then null
        -- up to 9 fraction digits (more cannot change a microsecond), with a zone
        when right(iso, 1) = 'Z' and length(iso) <= 30 then iso::timestamptz
        when substr(iso, length(iso) - 5, 1) in ('+', '-') and length(iso) <= 35 then iso::timestamptz
        when length(iso) <= 29 then (iso || 'Z')::timestamptz
        -- more fraction digits: the first 9 (a long run could underflow the input routine)
        else (left(iso, 29) || case when substr(iso, length(iso) - 5, 1) in ('+', '-') then right(iso, 6) else 'Z' end)::timestamptz
    end
$$;

comment on function metrics.instant_from_iso(text) is
    'The instant of an ISO-8601 string YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM] (no zone = UTC) naming a real instant, else NULL. Internal to metrics.parse_instant and metrics.parse_date. Never raises.';

create or replace function metrics.parse_instant(candidate jsonb)
returns timestamptz
language sql
stable parallel safe
as $$
    select case when jsonb_typeof(candidate) = 'string' then metrics.instant_from_iso(candidate #>> '{}') end
$$;

create or replace function metrics.parse_date(candidate jsonb)
returns date
language sql
stable parallel safe
as $$
    select case
        when jsonb_typeof(candidate) = 'string' and candidate #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
            then (metrics.instant_from_iso((candidate #>> '{}') || 'T00:00:00Z') at time zone 'UTC')::date
    end
$$;

create or replace function metrics.parse_digits(candidate text)
returns bigint
language sql
immutable parallel safe
as $$
    select case
        when candidate ~ '^[0-9]+$'
            and (length(ltrim(candidate, '0')) < 19
                or length(ltrim(candidate, '0')) = 19 and ltrim(candidate, '0') <= '9223372036854775807' collate "C")
            then ('0' || ltrim(candidate, '0'))::bigint
    end
$$;

-- A JSON number is read as numeric (jsonb keeps the written scale: 1.0 has scale 1), which
-- is cheaper than printing it and matching digits.
create or replace function metrics.parse_conversation_id(candidate jsonb)
returns bigint
language sql
immutable parallel safe
as $$
    select case jsonb_typeof(candidate)
        when 'number' then case
            when scale(candidate::numeric) = 0 and candidate::numeric between 0 and 9223372036854775807
                then candidate::numeric::bigint
        end
        when 'string' then metrics.parse_digits(candidate #>> '{}')
    end
$$;

create or replace function metrics.parse_external_ref(external_ref text)
returns bigint
language sql
immutable parallel safe
as $$
    select case when external_ref ~ '^chatwoot:[0-9]+$' then metrics.parse_digits(substr(external_ref, 10)) end
$$;

create or replace function metrics.parse_number(candidate jsonb)
returns numeric
language sql
immutable parallel safe
as $$
    select case when jsonb_typeof(candidate) = 'number' then candidate::numeric end
$$;

-- The SLA rule, written once (also used by metrics.backfill_chatwoot): metadata.slaMinutes as
-- an interval, when it is a JSON number of at most 1e9 minutes in size (beyond that
-- createdAt + slaMinutes can leave PostgreSQL's timestamp range), to the microsecond.
create function metrics.sla_interval(sla_minutes jsonb)
returns interval
language sql
immutable parallel safe
as $$
    select case
        when abs(metrics.parse_number(sla_minutes)) <= 1000000000
            then make_interval(secs => round(metrics.parse_number(sla_minutes) * 60, 6)::double precision)
    end
$$;

comment on function metrics.sla_interval(jsonb) is
    'metadata.slaMinutes of a chatwoot.escalations row as an interval (to the microsecond), or NULL unless it is a JSON number of at most 1e9 in absolute value. Never raises.';

-- 2. Change capture --------------------------------------------------------------------------

create table metrics_staging.fact_change (
    fact_id integer not null
);

comment on table metrics_staging.fact_change is
    'Change log: the id of every "DashboardFact" row of an input fact type inserted, updated or deleted (or all parsed ids after a TRUNCATE), appended by trigger in the writer''s transaction. metrics.refresh consumes the rows it can see; an id may appear many times.';
comment on column metrics_staging.fact_change.fact_id is '"DashboardFact".id of the changed row.';

create table metrics_staging.decision_change (
    decision_id integer not null
);

comment on table metrics_staging.decision_change is
    'Change log: the id of every "DecisionLog" row with scope ops inserted, updated or deleted (or all parsed ids after a TRUNCATE), appended by trigger in the writer''s transaction. metrics.refresh consumes the rows it can see; an id may appear many times.';
comment on column metrics_staging.decision_change.decision_id is '"DecisionLog".id of the changed row.';

-- One function for the three statement triggers of "DashboardFact": each names its transition
-- tables old_rows / new_rows, and only the branch of its own operation reads them.
create function metrics_staging.log_fact_change()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
begin
    if tg_op in ('INSERT', 'UPDATE') then
        insert into metrics_staging.fact_change (fact_id)
        select id from new_rows
        where "factType" in ('dashboard.session.opened', 'chatwoot.escalations', 'ga.sessions.anomalies');
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into metrics_staging.fact_change (fact_id)
        select id from old_rows
        where "factType" in ('dashboard.session.opened', 'chatwoot.escalations', 'ga.sessions.anomalies');
    end if;
    return null;
end
$function$;

comment on function metrics_staging.log_fact_change() is
    'Statement trigger on "DashboardFact": appends the ids of changed rows of the three input fact types to metrics_staging.fact_change.';

create function metrics_staging.log_decision_change()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
begin
    if tg_op in ('INSERT', 'UPDATE') then
        insert into metrics_staging.decision_change (decision_id)
        select id from new_rows where scope = 'ops';
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into metrics_staging.decision_change (decision_id)
        select id from old_rows where scope = 'ops';
    end if;
    return null;
end
$function$;

comment on function metrics_staging.log_decision_change() is
    'Statement trigger on "DecisionLog": appends the ids of changed ops decisions to metrics_staging.decision_change.';

create trigger metrics_fact_inserted after insert on ${app_schema}."DashboardFact"
    referencing new table as new_rows for each statement execute function metrics_staging.log_fact_change();
create trigger metrics_fact_updated after update on ${app_schema}."DashboardFact"
    referencing old table as old_rows new table as new_rows for each statement execute function metrics_staging.log_fact_change();
create trigger metrics_fact_deleted after delete on ${app_schema}."DashboardFact"
    referencing old table as old_rows for each statement execute function metrics_staging.log_fact_change();

create trigger metrics_decision_inserted after insert on ${app_schema}."DecisionLog"
    referencing new table as new_rows for each statement execute function metrics_staging.log_decision_change();
create trigger metrics_decision_updated after update on ${app_schema}."DecisionLog"
    referencing old table as old_rows new table as new_rows for each statement execute function metrics_staging.log_decision_change();
create trigger metrics_decision_deleted after delete on ${app_schema}."DecisionLog"
    referencing old table as old_rows for each statement execute function metrics_staging.log_decision_change();

-- TRUNCATE fires no row or DELETE trigger: every parsed row of the table is logged instead, so
-- the next refresh finds those rows gone.
create function metrics_staging.log_fact_truncate()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
begin
    insert into metrics_staging.fact_change (fact_id)
    select fact_id from metrics_staging.session_input
    union
    select fact_id from metrics_staging.breach_input
    union
    select fact_id from metrics_staging.anomaly_input
    union
    select source_id from metrics_staging.parse_issue where source_table = 'DashboardFact';
    return null;
end
$function$;

comment on function metrics_staging.log_fact_truncate() is
    'TRUNCATE trigger on "DashboardFact": logs every parsed fact id in metrics_staging.fact_change.';

create function metrics_staging.log_decision_truncate()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
begin
    insert into metrics_staging.decision_change (decision_id)
    select decision_id from metrics_staging.decision_input
    union
    select source_id from metrics_staging.parse_issue where source_table = 'DecisionLog';
    return null;
end
$function$;

comment on function metrics_staging.log_decision_truncate() is
    'TRUNCATE trigger on "DecisionLog": logs every parsed decision id in metrics_staging.decision_change.';

create trigger metrics_fact_truncated after truncate on ${app_schema}."DashboardFact"
    for each statement execute function metrics_staging.log_fact_truncate();
create trigger metrics_decision_truncated after truncate on ${app_schema}."DecisionLog"
    for each statement execute function metrics_staging.log_decision_truncate();

-- 3. Parsing: the views, cutoff-free, and the tables the refresh fills from them --------------

drop view metrics.activation_daily, metrics.sla_resolution_daily, metrics.anomaly_response_daily;
drop materialized view metrics.shop_activation, metrics.sla_breach, metrics.landing_page_anomaly, metrics.data_quality_issue;
drop view metrics_staging.session_opened, metrics_staging.ops_decision, metrics_staging.escalation_breach, metrics_staging.anomaly_element;
drop view metrics_staging.input_fact;

-- One row per "DashboardFact" row that may be an input: the common rules, written once.
create view metrics_staging.input_fact as
select
    fact.id as fact_id,
    fact."factType" as fact_type,
    fact."shopDomain" as shop_domain,
    fact."createdAt" at time zone 'UTC' as fact_created_at,
    fact.value,
    fact.metadata
from ${app_schema}."DashboardFact" as fact
where not metrics.is_blank(fact."shopDomain")
  and fact."shopDomain" <> '__aggregate__';

comment on view metrics_staging.input_fact is 'One row per "DashboardFact" row of a real shop (not blank, not __aggregate__), whenever created: what the parsing views select from, by fact_type.';
comment on column metrics_staging.input_fact.fact_id is '"DashboardFact".id.';
comment on column metrics_staging.input_fact.fact_type is '"factType" (facts are selected by it alone; scope is not filtered).';
comment on column metrics_staging.input_fact.shop_domain is '"shopDomain".';
comment on column metrics_staging.input_fact.fact_created_at is '"createdAt" (a timestamp holding UTC) as timestamptz.';
comment on column metrics_staging.input_fact.value is 'value (jsonb), unparsed: may hold personal data; only the parsing views read it.';
comment on column metrics_staging.input_fact.metadata is 'metadata (jsonb), unparsed.';

-- Grain: one row per dashboard visit (dashboard.session.opened fact).
-- Source: metrics_staging.input_fact.
create view metrics_staging.session_opened as
select
    fact.fact_id,
    fact.shop_domain,
    fact.fact_created_at as opened_at
from metrics_staging.input_fact as fact
where fact.fact_type = 'dashboard.session.opened';

comment on view metrics_staging.session_opened is 'One row per dashboard.session.opened fact of a real shop: a dashboard visit.';
comment on column metrics_staging.session_opened.fact_id is '"DashboardFact".id of the visit.';
comment on column metrics_staging.session_opened.shop_domain is 'Shop visited.';
comment on column metrics_staging.session_opened.opened_at is '"createdAt" of the fact, as timestamptz.';

-- Grain: one row per operator decision (scope ops) of a real shop.
-- Source: "DecisionLog".
create view metrics_staging.ops_decision as
select
    decision.id as decision_id,
    decision."shopDomain" as shop_domain,
    decision.action,
    decision."createdAt" at time zone 'UTC' as decided_at,
    reference.conversation_id,
    case when starts_with(decision.action, 'seo.assignment.') then decision.payload ->> 'landingPage' end as landing_page,
    case
        when starts_with(decision.action, 'chatwoot.') and reference.conversation_id is null then 'externalRef'
    end as issue_path,
    case
        when starts_with(decision.action, 'chatwoot.') and reference.conversation_id is null
            then 'a chatwoot action whose externalRef is not chatwoot:<digits>: it answers no breach'
    end as issue_reason
from ${app_schema}."DecisionLog" as decision
cross join lateral (select metrics.parse_external_ref(decision."externalRef") as conversation_id offset 0) as reference
where decision.scope = 'ops'
  and not metrics.is_blank(decision."shopDomain")
  and decision."shopDomain" <> '__aggregate__';

comment on view metrics_staging.ops_decision is 'One row per "DecisionLog" row with scope ops of a real shop: an operator action (scope build is not).';
comment on column metrics_staging.ops_decision.decision_id is '"DecisionLog".id.';
comment on column metrics_staging.ops_decision.shop_domain is 'Shop the decision was made for.';
comment on column metrics_staging.ops_decision.action is 'Action name, e.g. chatwoot.reply.<templateId> or seo.assignment.<kind>.';
comment on column metrics_staging.ops_decision.decided_at is '"createdAt" of the decision, as timestamptz.';
comment on column metrics_staging.ops_decision.conversation_id is 'Conversation the "externalRef" refers to (chatwoot:<digits>), else NULL.';
comment on column metrics_staging.ops_decision.landing_page is 'payload.landingPage of seo.assignment.* decisions, else NULL.';
comment on column metrics_staging.ops_decision.issue_path is 'externalRef when a chatwoot.* decision refers to no conversation, else NULL.';
comment on column metrics_staging.ops_decision.issue_reason is 'Why the decision cannot answer a breach, else NULL.';

-- Grain: one row per breach candidate of a chatwoot.escalations fact (each metadata.breaches
-- element, each value element whose slaBreached is not false or null) and per element or
-- field that had to be skipped. A row counts as a breach when conversation_id and breached_at
-- are both set. Source: metrics_staging.input_fact.
--
-- Written for speed on rows of a few KB: each JSON column is read (detoasted) once per row
-- (jsonb_path_query in silent strict mode yields nothing for a non-array, and only a row
-- without elements is then checked for its type), and each element's fields are parsed once
-- in an `offset 0` subquery that the outer CASE expressions read.
create view metrics_staging.escalation_breach as
select
    fact.fact_id,
    fact.shop_domain,
    fact.fact_created_at,
    candidate.element_path,
    candidate.conversation_id,
    candidate.breached_at,
    candidate.issue_path,
    candidate.issue_reason
from metrics_staging.input_fact as fact
cross join lateral (select metrics.sla_interval(fact.metadata -> 'slaMinutes') as sla_interval offset 0) as sla
cross join lateral (
    select
        case when conversation.position is null then 'value' else format('value[%s]', conversation.position) end as element_path,
        case when conversation.is_breached and conversation.is_object then conversation.conversation_id end as conversation_id,
        case
            when conversation.is_breached and conversation.is_object and conversation.conversation_id is not null
                then coalesce(conversation.reported_breached_at, conversation.conversation_created_at + sla.sla_interval)
        end as breached_at,
        case
            when conversation.position is null then 'value'
            when not conversation.is_object then format('value[%s]', conversation.position)
            when not conversation.is_breached then format('value[%s].slaBreached', conversation.position)
            when conversation.conversation_id is null then format('value[%s].id', conversation.position)
            when conversation.reported_breached_at is not null then null
            when conversation.has_breached_at then format('value[%s].breachedAt', conversation.position)
            when conversation.conversation_created_at is null then format('value[%s].createdAt', conversation.position)
            when sla.sla_interval is null then format('value[%s].breachedAt', conversation.position)
        end as issue_path,
        case
            when conversation.position is null then 'not a JSON array: no conversation of this row read'
            when not conversation.is_object then 'not a JSON object: element skipped'
            when not conversation.is_breached then 'slaBreached is not true, false or null: element skipped'
            when conversation.conversation_id is null then 'not an integer or a string of digits: breach skipped'
            when conversation.reported_breached_at is not null then null
            when conversation.has_breached_at and conversation.conversation_created_at + sla.sla_interval is not null
                then 'not a valid ISO-8601 timestamp: createdAt + metadata.slaMinutes used instead'
            when conversation.has_breached_at then 'not a valid ISO-8601 timestamp, and createdAt + metadata.slaMinutes is unavailable: breach skipped'
            when conversation.conversation_created_at is null
                then 'breachedAt is missing and createdAt is not a valid ISO-8601 timestamp: breach skipped'
            when sla.sla_interval is null
                then 'missing, and metadata.slaMinutes is not a number (of at most 1e9 minutes in size): breach skipped'
        end as issue_reason
    from (
        -- createdAt is parsed only when breachedAt is not a valid instant (older rows)
        select
            parsed.*,
            case when parsed.reported_breached_at is null then metrics.parse_instant(parsed.created_at) end as conversation_created_at
        from (
            select
                field.position,
                field.is_object,
                field.is_breached,
                field.has_breached_at,
                field.created_at,
                metrics.parse_conversation_id(field.id) as conversation_id,
                metrics.parse_instant(field.breached_at) as reported_breached_at
            from (
                select
                    element.ordinality - 1 as position,
                    jsonb_typeof(element.conversation) = 'object' as is_object,
                    element.conversation -> 'slaBreached' = 'true' as is_breached,
                    coalesce(element.conversation -> 'breachedAt', 'null') <> 'null' as has_breached_at,
                    element.conversation -> 'id' as id,
                    element.conversation -> 'breachedAt' as breached_at,
                    element.conversation -> 'createdAt' as created_at
                from (select) as one
                left join lateral jsonb_path_query(fact.value, 'strict $[*]', '{}', true) with ordinality as element(conversation, ordinality) on true
                where case
                    when element.conversation is null then jsonb_typeof(fact.value) <> 'array'
                    else jsonb_typeof(element.conversation) <> 'object'
                        or coalesce(element.conversation -> 'slaBreached', 'null') not in ('false', 'null')
                end
                offset 0
            ) as field
            offset 0
        ) as parsed
        offset 0
    ) as conversation

    union all

    select
        case when breach.position is null then 'metadata.breaches' else format('metadata.breaches[%s]', breach.position) end,
        breach.conversation_id,
        case when breach.conversation_id is not null then breach.breached_at end,
        case
            when breach.position is null then 'metadata.breaches'
            when not breach.is_object then format('metadata.breaches[%s]', breach.position)
            when breach.conversation_id is null then format('metadata.breaches[%s].conversationId', breach.position)
            when breach.breached_at is null then format('metadata.breaches[%s].breachedAt', breach.position)
        end,
        case
            when breach.position is null then 'not a JSON array (nor null): no breach of metadata.breaches read'
            when not breach.is_object then 'not a JSON object: element skipped'
            when breach.conversation_id is null then 'not an integer or a string of digits: breach skipped'
            when breach.breached_at is null then 'not a valid ISO-8601 timestamp: breach skipped'
        end
    from (
        select
            field.position,
            field.is_object,
            metrics.parse_conversation_id(field.conversation_id) as conversation_id,
            metrics.parse_instant(field.breached_at) as breached_at
        from (
            select
                element.ordinality - 1 as position,
                jsonb_typeof(element.breach) = 'object' as is_object,
                element.breach -> 'conversationId' as conversation_id,
                element.breach -> 'breachedAt' as breached_at
            from (select) as one
            left join lateral jsonb_path_query(fact.metadata, 'strict $.breaches[*]', '{}', true) with ordinality as element(breach, ordinality) on true
            where element.breach is not null
               or jsonb_typeof(fact.metadata -> 'breaches') not in ('array', 'null')
            offset 0
        ) as field
        offset 0
    ) as breach
) as candidate
where fact.fact_type = 'chatwoot.escalations';

comment on view metrics_staging.escalation_breach is 'One row per breach candidate in chatwoot.escalations facts (metadata.breaches elements and value elements with slaBreached true) and per element skipped as invalid.';
comment on column metrics_staging.escalation_breach.fact_id is '"DashboardFact".id of the escalation row.';
comment on column metrics_staging.escalation_breach.shop_domain is 'Shop of the escalation row.';
comment on column metrics_staging.escalation_breach.fact_created_at is '"createdAt" of the escalation row, as timestamptz.';
comment on column metrics_staging.escalation_breach.element_path is 'Where in the row the candidate is: value[i] or metadata.breaches[i] (0-based), or the whole value / metadata.breaches when it is not an array.';
comment on column metrics_staging.escalation_breach.conversation_id is 'Parsed conversation id; NULL when invalid.';
comment on column metrics_staging.escalation_breach.breached_at is 'Breach instant: breachedAt, else createdAt + metadata.slaMinutes minutes (value elements); NULL when neither is valid.';
comment on column metrics_staging.escalation_breach.issue_path is 'JSON path of the invalid field, when the candidate was skipped or degraded; else NULL.';
comment on column metrics_staging.escalation_breach.issue_reason is 'What was invalid and what was done about it; else NULL.';

-- Grain: one row per element of a ga.sessions.anomalies fact's value array, classified, plus
-- one row per fact whose value is not an array or whose metadata.range.end is not a date.
-- Source: metrics_staging.input_fact. Written like escalation_breach (value read once).
create view metrics_staging.anomaly_element as
select
    fact.fact_id,
    fact.shop_domain,
    fact.fact_created_at,
    element.element_path,
    element.landing_page,
    range.range_end,
    element.is_anomaly,
    element.issue_path,
    element.issue_reason
from metrics_staging.input_fact as fact
cross join lateral (
    select
        coalesce(fact.metadata #> '{range,end}', 'null') as reported_range_end,
        coalesce(metrics.parse_date(fact.metadata #> '{range,end}'), (fact.fact_created_at at time zone 'UTC')::date) as range_end
    offset 0
) as range
cross join lateral (
    select
        case when page.position is null then 'value' else format('value[%s]', page.position) end as element_path,
        page.landing_page,
        coalesce(page.is_anomaly and page.landing_page is not null, false) as is_anomaly,
        case
            when page.position is null then 'value'
            when not page.is_object then format('value[%s]', page.position)
            when page.is_anomaly is null and page.is_anomaly_flag <> 'null' then format('value[%s].isAnomaly', page.position)
            when page.is_anomaly is null then format('value[%s].wowDelta', page.position)
            when page.is_anomaly and page.landing_page is null then format('value[%s].landingPage', page.position)
        end as issue_path,
        case
            when page.position is null then 'not a JSON array: no landing page of this row read'
            when not page.is_object then 'not a JSON object: element skipped'
            when page.is_anomaly is null and page.is_anomaly_flag <> 'null' then 'isAnomaly is not true, false or null: element skipped'
            when page.is_anomaly is null then 'not a number while isAnomaly is absent: element skipped'
            when page.is_anomaly and page.landing_page is null then 'missing or empty landing page: anomaly skipped'
        end as issue_reason
    from (
        select
            field.*,
            case
                when not field.is_object then null
                when field.is_anomaly_flag = 'true' then true
                when field.is_anomaly_flag = 'false' then false
                when field.is_anomaly_flag <> 'null' then null
                when field.wow_delta = 'null' then false
                else metrics.parse_number(field.wow_delta) <= -0.2
            end as is_anomaly
        from (
            select
                element.ordinality - 1 as position,
                jsonb_typeof(element.page) = 'object' as is_object,
                coalesce(element.page -> 'isAnomaly', 'null') as is_anomaly_flag,
                coalesce(element.page -> 'wowDelta', 'null') as wow_delta,
                case when element.page ->> 'landingPage' ~ '\S' and jsonb_typeof(element.page -> 'landingPage') = 'string'
                    then element.page ->> 'landingPage'
                end as landing_page
            from (select) as one
            left join lateral jsonb_path_query(fact.value, 'strict $[*]', '{}', true) with ordinality as element(page, ordinality) on true
            where element.page is not null
               or jsonb_typeof(fact.value) <> 'array'
            offset 0
        ) as field
    ) as page

    union all

    select 'metadata.range.end', null, false, 'metadata.range.end',
        'not a YYYY-MM-DD date: the row''s createdAt date is used as range end'
    where range.reported_range_end <> 'null'
      and metrics.parse_date(range.reported_range_end) is null
) as element
where fact.fact_type = 'ga.sessions.anomalies';

comment on view metrics_staging.anomaly_element is 'One row per landing-page element of ga.sessions.anomalies facts, classified as anomaly or not, plus one row per row-level problem (value not an array, invalid metadata.range.end).';
comment on column metrics_staging.anomaly_element.fact_id is '"DashboardFact".id of the GA row.';
comment on column metrics_staging.anomaly_element.shop_domain is 'Shop of the GA row.';
comment on column metrics_staging.anomaly_element.fact_created_at is '"createdAt" of the GA row, as timestamptz.';
comment on column metrics_staging.anomaly_element.element_path is 'Where in the row the element is: value[i] (0-based), or the row-level field a problem concerns.';
comment on column metrics_staging.anomaly_element.landing_page is 'landingPage when it is a non-blank string, else NULL.';
comment on column metrics_staging.anomaly_element.range_end is 'metadata.range.end when it is a YYYY-MM-DD date, else the row''s createdAt UTC date.';
comment on column metrics_staging.anomaly_element.is_anomaly is 'True when the element is an anomaly with a landing page: isAnomaly true, or isAnomaly absent/null and wowDelta <= -0.2.';
comment on column metrics_staging.anomaly_element.issue_path is 'JSON path of the invalid field when something was skipped or replaced; else NULL.';
comment on column metrics_staging.anomaly_element.issue_reason is 'What was invalid and what was done about it; else NULL.';

-- The parsed inputs, keyed by the app row they come from, whenever created. Written only by
-- metrics.refresh; one row per valid input (issues go to parse_issue).

create table metrics_staging.session_input (
    fact_id integer primary key,
    shop_domain text not null,
    opened_at timestamptz not null
);

create index session_input_shop on metrics_staging.session_input (shop_domain, opened_at);

comment on table metrics_staging.session_input is 'Parsed dashboard visits: one row per row of metrics_staging.session_opened, kept up to date by metrics.refresh.';
comment on column metrics_staging.session_input.fact_id is '"DashboardFact".id of the visit.';
comment on column metrics_staging.session_input.shop_domain is 'Shop visited.';
comment on column metrics_staging.session_input.opened_at is '"createdAt" of the visit.';

create table metrics_staging.decision_input (
    decision_id integer primary key,
    shop_domain text not null,
    action text not null,
    decided_at timestamptz not null,
    conversation_id bigint,
    landing_page text
);

create index decision_input_shop on metrics_staging.decision_input (shop_domain, decided_at);
create index decision_input_conversation on metrics_staging.decision_input (shop_domain, conversation_id, decided_at) where conversation_id is not null;
create index decision_input_landing_page on metrics_staging.decision_input (shop_domain, landing_page, decided_at) where landing_page is not null;

comment on table metrics_staging.decision_input is 'Parsed operator decisions: one row per row of metrics_staging.ops_decision, kept up to date by metrics.refresh.';
comment on column metrics_staging.decision_input.decision_id is '"DecisionLog".id.';
comment on column metrics_staging.decision_input.shop_domain is 'Shop the decision was made for.';
comment on column metrics_staging.decision_input.action is 'Action name.';
comment on column metrics_staging.decision_input.decided_at is '"createdAt" of the decision.';
comment on column metrics_staging.decision_input.conversation_id is 'Conversation the "externalRef" refers to, else NULL.';
comment on column metrics_staging.decision_input.landing_page is 'payload.landingPage of seo.assignment.* decisions, else NULL.';

create table metrics_staging.breach_input (
    fact_id integer not null,
    conversation_id bigint not null,
    shop_domain text not null,
    fact_created_at timestamptz not null,
    breached_at timestamptz not null,
    primary key (fact_id, conversation_id)
);

create index breach_input_breach on metrics_staging.breach_input (shop_domain, conversation_id);

comment on table metrics_staging.breach_input is 'Parsed breaches: one row per (escalation row, conversation) with the earliest valid breach instant that row gives, from metrics_staging.escalation_breach; kept up to date by metrics.refresh.';
comment on column metrics_staging.breach_input.fact_id is '"DashboardFact".id of the escalation row.';
comment on column metrics_staging.breach_input.conversation_id is 'Chatwoot conversation id.';
comment on column metrics_staging.breach_input.shop_domain is 'Shop of the escalation row.';
comment on column metrics_staging.breach_input.fact_created_at is '"createdAt" of the escalation row.';
comment on column metrics_staging.breach_input.breached_at is 'Earliest breach instant of the conversation in this row.';

create table metrics_staging.anomaly_input (
    fact_id integer not null,
    landing_page text not null,
    shop_domain text not null,
    fact_created_at timestamptz not null,
    range_end date not null,
    primary key (fact_id, landing_page)
);

create index anomaly_input_page on metrics_staging.anomaly_input (shop_domain, landing_page);

comment on table metrics_staging.anomaly_input is 'Parsed anomalies: one row per (GA row, landing page flagged as anomaly), from metrics_staging.anomaly_element; kept up to date by metrics.refresh.';
comment on column metrics_staging.anomaly_input.fact_id is '"DashboardFact".id of the GA row.';
comment on column metrics_staging.anomaly_input.landing_page is 'Landing page flagged.';
comment on column metrics_staging.anomaly_input.shop_domain is 'Shop of the GA row.';
comment on column metrics_staging.anomaly_input.fact_created_at is '"createdAt" of the GA row.';
comment on column metrics_staging.anomaly_input.range_end is 'GA range end of the row (metadata.range.end, else the row''s UTC date).';

create table metrics_staging.parse_issue (
    source_table text not null,
    source_id integer not null,
    json_path text not null,
    source_kind text not null,
    shop_domain text not null,
    source_created_at timestamptz not null,
    reason text not null,
    primary key (source_table, source_id, json_path)
);

create index parse_issue_shop on metrics_staging.parse_issue (shop_domain);

comment on table metrics_staging.parse_issue is 'Every element or field of an app row that broke a parsing rule, from the issue rows of the parsing views, whenever created; metrics.data_quality_issue shows those before the data cutoff. Kept up to date by metrics.refresh.';
comment on column metrics_staging.parse_issue.source_table is 'App table of the row: DashboardFact or DecisionLog.';
comment on column metrics_staging.parse_issue.source_id is 'id of the row in source_table.';
comment on column metrics_staging.parse_issue.json_path is 'Path of the invalid element or field inside the row.';
comment on column metrics_staging.parse_issue.source_kind is '"factType" of a DashboardFact row, or action of a DecisionLog row.';
comment on column metrics_staging.parse_issue.shop_domain is 'Shop of the row.';
comment on column metrics_staging.parse_issue.source_created_at is '"createdAt" of the row.';
comment on column metrics_staging.parse_issue.reason is 'What was invalid and what was skipped or used instead.';

-- 4. Entities and daily aggregates, as of the data cutoff ------------------------------------

create table metrics_staging.shop_activation (
    shop_domain text primary key,
    first_session_at timestamptz not null,
    first_decision_at timestamptz
);

create index shop_activation_first_session_at on metrics_staging.shop_activation (first_session_at);

comment on table metrics_staging.shop_activation is 'Storage of metrics.shop_activation: one row per shop with a dashboard session before the data cutoff. Written only by metrics.refresh.';
comment on column metrics_staging.shop_activation.shop_domain is 'Shop.';
comment on column metrics_staging.shop_activation.first_session_at is 'Earliest dashboard session before the cutoff.';
comment on column metrics_staging.shop_activation.first_decision_at is 'Earliest ops decision in [first_session_at, first_session_at + 168 h) before the cutoff; NULL when none.';

create table metrics_staging.sla_breach (
    shop_domain text not null,
    conversation_id bigint not null,
    breached_at timestamptz not null,
    first_action_at timestamptz,
    first_action text,
    resolution_minutes numeric generated always as (trim_scale(extract(epoch from first_action_at - breached_at) / 60)) stored,
    primary key (shop_domain, conversation_id)
);

create index sla_breach_first_action_at on metrics_staging.sla_breach (first_action_at);
create index sla_breach_open on metrics_staging.sla_breach (breached_at) where first_action_at is null;

comment on table metrics_staging.sla_breach is 'Storage of metrics.sla_breach: one row per (shop, conversation) breached in escalation rows created before the data cutoff. Written only by metrics.refresh.';
comment on column metrics_staging.sla_breach.shop_domain is 'Shop.';
comment on column metrics_staging.sla_breach.conversation_id is 'Chatwoot conversation id.';
comment on column metrics_staging.sla_breach.breached_at is 'Earliest breach instant found.';
comment on column metrics_staging.sla_breach.first_action_at is 'Earliest ops decision on the conversation at or after breached_at, before the cutoff.';
comment on column metrics_staging.sla_breach.first_action is 'Action of that decision.';
comment on column metrics_staging.sla_breach.resolution_minutes is 'Minutes from breached_at to first_action_at, exact.';

create table metrics_staging.landing_page_anomaly (
    shop_domain text not null,
    landing_page text not null,
    range_end date not null,
    detected_at timestamptz not null,
    responded_at timestamptz,
    primary key (shop_domain, landing_page, range_end)
);

create index landing_page_anomaly_detected_at on metrics_staging.landing_page_anomaly (detected_at);

comment on table metrics_staging.landing_page_anomaly is 'Storage of metrics.landing_page_anomaly: one row per (shop, landing page, range end) flagged in GA rows created before the data cutoff. Written only by metrics.refresh.';
comment on column metrics_staging.landing_page_anomaly.shop_domain is 'Shop.';
comment on column metrics_staging.landing_page_anomaly.landing_page is 'Landing page.';
comment on column metrics_staging.landing_page_anomaly.range_end is 'GA range end.';
comment on column metrics_staging.landing_page_anomaly.detected_at is 'createdAt of the earliest GA row holding the anomaly.';
comment on column metrics_staging.landing_page_anomaly.responded_at is 'Earliest seo.assignment.* ops decision for the page at or after detected_at, before the cutoff.';

create table metrics_staging.activation_day (
    cohort_day date primary key,
    new_shops integer not null,
    activated_shops integer not null
);

comment on table metrics_staging.activation_day is 'Per-day aggregate behind metrics.activation_daily: one row per UTC day with at least one new shop. Written only by metrics.refresh.';
comment on column metrics_staging.activation_day.cohort_day is 'UTC day of the shops'' first session.';
comment on column metrics_staging.activation_day.new_shops is 'Shops first seen that day.';
comment on column metrics_staging.activation_day.activated_shops is 'Of those, shops activated.';

create table metrics_staging.sla_resolution_day (
    resolution_day date primary key,
    sample_size integer not null,
    median_minutes numeric not null,
    p90_minutes numeric not null
);

comment on table metrics_staging.sla_resolution_day is 'Per-day aggregate behind metrics.sla_resolution_daily: one row per UTC day with at least one first action. Written only by metrics.refresh.';
comment on column metrics_staging.sla_resolution_day.resolution_day is 'UTC day of the first actions.';
comment on column metrics_staging.sla_resolution_day.sample_size is 'Breaches first acted on that day.';
comment on column metrics_staging.sla_resolution_day.median_minutes is 'Their median resolution minutes, rounded to 2 decimals.';
comment on column metrics_staging.sla_resolution_day.p90_minutes is 'Their 90th percentile, rounded to 2 decimals.';

create table metrics_staging.anomaly_response_day (
    detection_day date primary key,
    total_anomalies integer not null,
    responded_within_24h integer not null
);

comment on table metrics_staging.anomaly_response_day is 'Per-day aggregate behind metrics.anomaly_response_daily: one row per UTC day with at least one anomaly detected. Written only by metrics.refresh.';
comment on column metrics_staging.anomaly_response_day.detection_day is 'UTC day of detection.';
comment on column metrics_staging.anomaly_response_day.total_anomalies is 'Anomalies first detected that day.';
comment on column metrics_staging.anomaly_response_day.responded_within_24h is 'Of those, anomalies answered within 24 hours.';

-- 5. The analyst views -------------------------------------------------------------------------
-- Intervals are written in hours (168, 24), never days, so that no result depends on the
-- session's TimeZone.

-- Grain: one row per shop that has opened the dashboard before the data cutoff.
-- Source: metrics_staging.shop_activation (kept by metrics.refresh).
create view metrics.shop_activation as
select
    shop.shop_domain,
    shop.first_session_at,
    (shop.first_session_at at time zone 'UTC')::date as cohort_day,
    shop.first_session_at + interval '168 hours' as activation_deadline_at,
    shop.first_decision_at,
    shop.first_decision_at is not null as is_activated,
    shop.first_session_at + interval '168 hours' <= (select metrics.data_cutoff()) as is_activation_window_complete
from metrics_staging.shop_activation as shop;

comment on view metrics.shop_activation is
    'Activation per shop: one row per shop that has opened the dashboard. A shop is activated when it logs an operator (scope ops) decision within 7 days (168 h) of its first dashboard session. Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.shop_activation.shop_domain is 'Shop (Shopify domain).';
comment on column metrics.shop_activation.first_session_at is 'Earliest dashboard.session.opened of the shop: when it was onboarded.';
comment on column metrics.shop_activation.cohort_day is 'UTC date of first_session_at: the cohort the shop belongs to.';
comment on column metrics.shop_activation.activation_deadline_at is 'first_session_at + 7 days: decisions at or after it do not activate the shop.';
comment on column metrics.shop_activation.first_decision_at is 'Earliest ops decision of the shop in [first_session_at, activation_deadline_at); NULL when none (yet).';
comment on column metrics.shop_activation.is_activated is 'True when first_decision_at is set.';
comment on column metrics.shop_activation.is_activation_window_complete is 'True when the shop''s 7 days ended before the data cutoff, so is_activated can no longer change.';

-- Grain: one row per breach, i.e. per (shop, conversation) ever breached before the cutoff.
-- Source: metrics_staging.sla_breach (kept by metrics.refresh).
create view metrics.sla_breach as
select
    breach.shop_domain,
    breach.conversation_id,
    breach.breached_at,
    breach.first_action_at,
    breach.first_action,
    breach.resolution_minutes,
    breach.first_action_at is null as is_open
from metrics_staging.sla_breach as breach;

comment on view metrics.sla_breach is
    'SLA resolution per breach: one row per (shop, Chatwoot conversation) that breached its SLA, however many escalation rows repeat it. Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.sla_breach.shop_domain is 'Shop the conversation belongs to (the same conversation id in two shops is two breaches).';
comment on column metrics.sla_breach.conversation_id is 'Chatwoot conversation id.';
comment on column metrics.sla_breach.breached_at is 'Earliest breach instant found for the conversation in any escalation row (breachedAt, or createdAt + slaMinutes in older rows).';
comment on column metrics.sla_breach.first_action_at is 'Earliest ops decision referring to the conversation (externalRef chatwoot:<id>) at or after breached_at; NULL while open.';
comment on column metrics.sla_breach.first_action is 'Action name of that first decision, e.g. chatwoot.reply.<templateId>; NULL while open.';
comment on column metrics.sla_breach.resolution_minutes is 'Minutes from breached_at to first_action_at (exact, unrounded); NULL while open.';
comment on column metrics.sla_breach.is_open is 'True when no operator has acted on the conversation since the breach (before the data cutoff).';

-- Grain: one row per anomaly, i.e. per (shop, landing page, range end), before the cutoff.
-- Source: metrics_staging.landing_page_anomaly (kept by metrics.refresh).
create view metrics.landing_page_anomaly as
select
    anomaly.shop_domain,
    anomaly.landing_page,
    anomaly.range_end,
    anomaly.detected_at,
    anomaly.responded_at,
    coalesce(anomaly.responded_at < anomaly.detected_at + interval '24 hours', false) as is_responded_within_24h
from metrics_staging.landing_page_anomaly as anomaly;

comment on view metrics.landing_page_anomaly is
    'Anomaly response per anomaly: one row per (shop, landing page, GA range end) flagged in ga.sessions.anomalies (isAnomaly true, or absent with wowDelta <= -0.2). Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.landing_page_anomaly.shop_domain is 'Shop whose GA property showed the anomaly.';
comment on column metrics.landing_page_anomaly.landing_page is 'Landing page (path or URL) with the anomalous sessions.';
comment on column metrics.landing_page_anomaly.range_end is 'End date of the GA comparison range (metadata.range.end, else the UTC date of the row).';
comment on column metrics.landing_page_anomaly.detected_at is 'createdAt of the earliest GA row holding the anomaly.';
comment on column metrics.landing_page_anomaly.responded_at is 'Earliest seo.assignment.* ops decision for the same shop and landing page at or after detected_at; NULL when none.';
comment on column metrics.landing_page_anomaly.is_responded_within_24h is 'True when responded_at is less than 24 hours after detected_at.';

-- Grain: one row per skipped or degraded element (a row of the app tables plus a JSON path),
-- of app rows created before the cutoff. Source: metrics_staging.parse_issue.
create view metrics.data_quality_issue as
select
    issue.source_table,
    issue.source_id,
    issue.source_kind,
    issue.shop_domain,
    issue.source_created_at,
    issue.json_path,
    issue.reason
from metrics_staging.parse_issue as issue
where issue.source_created_at < (select metrics.data_cutoff());

comment on view metrics.data_quality_issue is
    'Data quality: one row per element of the app rows that broke a parsing rule and was skipped (or, where noted, replaced by a fallback). Valid elements of the same row still count. Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.data_quality_issue.source_table is 'App table of the row: DashboardFact or DecisionLog.';
comment on column metrics.data_quality_issue.source_id is 'id of the row in source_table.';
comment on column metrics.data_quality_issue.source_kind is '"factType" of a DashboardFact row, or action of a DecisionLog row.';
comment on column metrics.data_quality_issue.shop_domain is 'Shop of the row.';
comment on column metrics.data_quality_issue.source_created_at is '"createdAt" of the row.';
comment on column metrics.data_quality_issue.json_path is 'Path of the invalid element or field inside the row, e.g. value[3].id, metadata.breaches[0].breachedAt, externalRef.';
comment on column metrics.data_quality_issue.reason is 'What was invalid and what was skipped or used instead.';

-- The days of a daily series, written once: every UTC day from first_day to the day before the
-- data cutoff (none before the first refresh, or when first_day is NULL). Days are integer
-- offsets from a date: a series of timestamptz would step in the session's TimeZone.
create function metrics.series_days(first_day date)
returns setof date
language sql
stable parallel safe
as $$
    select first_day + day_offset
    from generate_series(0, (metrics.data_cutoff() at time zone 'UTC')::date - 1 - first_day) as day_offset
    where metrics.data_cutoff() > '-infinity'
$$;

comment on function metrics.series_days(date) is
    'The UTC days of a daily series: first_day up to the day before the data cutoff (window_end of the newest refresh); no day before the first refresh or for a NULL first_day.';

-- Grain: one row per UTC cohort day, from the first cohort to the day before the data cutoff.
-- Source: metrics_staging.activation_day.
create view metrics.activation_daily as
select
    day.cohort_day,
    coalesce(cohort.new_shops, 0) as new_shops,
    coalesce(cohort.activated_shops, 0) as activated_shops,
    metrics.rate(coalesce(cohort.activated_shops, 0), coalesce(cohort.new_shops, 0)) as activation_rate,
    day.cohort_day + 8 <= (metrics.data_cutoff() at time zone 'UTC')::date as is_cohort_complete
from metrics.series_days((select min(cohort_day) from metrics_staging.activation_day)) as day(cohort_day)
left join metrics_staging.activation_day as cohort on cohort.cohort_day = day.cohort_day;

comment on view metrics.activation_daily is
    'Activation by cohort day: one row per UTC day from the first onboarding to the day before the newest refresh''s window_end, with the shops first seen that day and how many of them activated within 7 days.';
comment on column metrics.activation_daily.cohort_day is 'UTC day of the shops'' first dashboard session.';
comment on column metrics.activation_daily.new_shops is 'Shops whose first dashboard session was on cohort_day.';
comment on column metrics.activation_daily.activated_shops is 'Of those, shops with an ops decision within 7 days of their first session (so far).';
comment on column metrics.activation_daily.activation_rate is 'activated_shops / new_shops rounded to 4 decimals; 0 when new_shops is 0 (as in the facts).';
comment on column metrics.activation_daily.is_cohort_complete is 'True when every shop of the day has had its full 7 days before the data cutoff; until then activated_shops may still grow.';

-- Grain: one row per UTC day of first action, from the first resolution to the day before the data cutoff.
-- Source: metrics_staging.sla_resolution_day.
create view metrics.sla_resolution_daily as
select
    day.resolution_day,
    coalesce(resolution.sample_size, 0) as sample_size,
    resolution.median_minutes,
    resolution.p90_minutes
from metrics.series_days((select min(resolution_day) from metrics_staging.sla_resolution_day)) as day(resolution_day)
left join metrics_staging.sla_resolution_day as resolution on resolution.resolution_day = day.resolution_day;

comment on view metrics.sla_resolution_daily is
    'SLA resolution by day: one row per UTC day from the first resolved breach to the day before the newest refresh''s window_end, over the breaches whose first operator action fell on that day.';
comment on column metrics.sla_resolution_daily.resolution_day is 'UTC day of the first operator action after the breach.';
comment on column metrics.sla_resolution_daily.sample_size is 'Breaches first acted on that day.';
comment on column metrics.sla_resolution_daily.median_minutes is 'Median minutes from breach to first action (interpolated, as percentile_cont), rounded to 2 decimals; NULL when sample_size is 0.';
comment on column metrics.sla_resolution_daily.p90_minutes is '90th percentile of the same (interpolated), rounded to 2 decimals; NULL when sample_size is 0.';

-- Grain: one row per UTC detection day, from the first anomaly to the day before the data cutoff.
-- Source: metrics_staging.anomaly_response_day.
create view metrics.anomaly_response_daily as
select
    day.detection_day,
    coalesce(detected.total_anomalies, 0) as total_anomalies,
    coalesce(detected.responded_within_24h, 0) as responded_within_24h,
    metrics.rate(coalesce(detected.responded_within_24h, 0), coalesce(detected.total_anomalies, 0)) as response_rate
from metrics.series_days((select min(detection_day) from metrics_staging.anomaly_response_day)) as day(detection_day)
left join metrics_staging.anomaly_response_day as detected on detected.detection_day = day.detection_day;

comment on view metrics.anomaly_response_daily is
    'Anomaly response by day: one row per UTC day from the first detected anomaly to the day before the newest refresh''s window_end.';
comment on column metrics.anomaly_response_daily.detection_day is 'UTC day the anomalies were first detected.';
comment on column metrics.anomaly_response_daily.total_anomalies is 'Anomalies (shop, landing page, range end) first detected that day.';
comment on column metrics.anomaly_response_daily.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection.';
comment on column metrics.anomaly_response_daily.response_rate is 'responded_within_24h / total_anomalies rounded to 4 decimals; 0 when there were none (as in the facts).';

-- 6. How each refresh ran ----------------------------------------------------------------------

alter table metrics.refresh_run
    add column refresh_mode text check (refresh_mode in ('full', 'rebuild', 'incremental')),
    add column changed_rows integer;

comment on column metrics.refresh_run.refresh_mode is 'How the refresh ran: incremental (only app rows changed since the last refresh, and the entities they touch), rebuild (all entities from the parsed rows: as of a day before the last refresh), full (everything re-parsed from the app tables: --full, or the first refresh). NULL for refreshes before migration 0008.';
comment on column metrics.refresh_run.changed_rows is 'App input rows the refresh parsed: all of them for a full refresh; otherwise those changed since the last refresh and those created between its cutoff and this one. NULL before migration 0008.';
