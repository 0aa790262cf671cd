-- Parsing of the app rows of a range of UTC days [first_day, end_day) into the partials the
-- refresh keeps (docs/metrics.md, "Lenient parsing"), one function per input kind, each one pass
-- over its rows through 0013's ("factType", "createdAt") index or the ops decisions' "createdAt"
-- one. Common rules: facts are selected by "factType" alone; rows whose "shopDomain" is blank or
-- __aggregate__ are ignored; "createdAt" holds UTC. Every element that breaks a rule comes back
-- with the row's id, json_path and reason set, for metrics_staging.parse_issue.
--
-- Plain SQL functions: PostgreSQL inlines them into the refresh's statements, and their text is
-- not dependency-tracked, so they never stand in the way of the app's ALTER TABLE. Parameters are
-- qualified where app columns are in scope: a column the app adds with their name must not take
-- their place. A parsed field used more than once is computed in an `offset 0` subquery (a
-- flattened one would repeat the parse at each use).

-- Grain: one row per shop and UTC day with a dashboard.session.opened row.
create or replace function metrics_staging.parse_sessions(first_day date, end_day date)
returns table (shop_domain text, day date, first_opened_at timestamptz)
language sql
stable
as $$
    select fact."shopDomain", fact."createdAt"::date, min(fact."createdAt") at time zone 'UTC'
    from ${app_schema}."DashboardFact" as fact
    where fact."factType" = 'dashboard.session.opened'
      and fact."createdAt" >= parse_sessions.first_day and fact."createdAt" < parse_sessions.end_day
      and not metrics.is_blank(fact."shopDomain") and fact."shopDomain" <> '__aggregate__'
    group by fact."shopDomain", fact."createdAt"::date
$$;

comment on function metrics_staging.parse_sessions(date, date) is
    'The session partials of the UTC days [first_day, end_day): each shop''s first dashboard visit of each day.';

-- Grain: one row per ops decision of a real shop.
create or replace function metrics_staging.parse_decisions(first_day date, end_day date)
returns table (
    day date, decision_id bigint, shop_domain text, action text, decided_at timestamptz,
    conversation_id bigint, landing_page text, json_path text, reason text
)
language sql
stable
as $$
    select
        decision."createdAt"::date,
        decision.id,
        decision."shopDomain",
        decision.action,
        decision."createdAt" at time zone 'UTC',
        reference.conversation_id,
        case when starts_with(decision.action, 'seo.assignment.') then decision.payload ->> 'landingPage' end,
        case when starts_with(decision.action, 'chatwoot.') and reference.conversation_id is null then 'externalRef' end,
        case when starts_with(decision.action, 'chatwoot.') and reference.conversation_id is null
            then 'a chatwoot action whose externalRef is not chatwoot:<digits>: it answers no breach'
        end
    from ${app_schema}."DecisionLog" as decision
    cross join lateral (select metrics.parse_external_ref(decision."externalRef") as conversation_id offset 0) as reference
    where decision.scope = 'ops'
      and decision."createdAt" >= parse_decisions.first_day and decision."createdAt" < parse_decisions.end_day
      and not metrics.is_blank(decision."shopDomain") and decision."shopDomain" <> '__aggregate__'
$$;

comment on function metrics_staging.parse_decisions(date, date) is
    'The operator decisions (scope ops) of the UTC days [first_day, end_day), parsed; json_path and reason are set for a chatwoot.* action whose externalRef is not chatwoot:<digits>.';

-- Grain: one row per shop, conversation and UTC day of chatwoot.escalations rows, plus one row per
-- element or field skipped or degraded (fact_id, json_path and reason set). A breach candidate is
-- each metadata.breaches element and each value element whose slaBreached is not false or null.
-- An escalation row lists the conversations open at that moment, so a shop's rows of one day
-- repeat the same values: the candidates are grouped by their raw text first (with the rows and
-- positions they come from), and each distinct text of a shop and day is parsed once. The text of
-- a JSON value parses as the value does: ->> writes a number as written, and no non-string reads
-- as an instant.
create or replace function metrics_staging.parse_escalations(first_day date, end_day date)
returns table (shop_domain text, conversation_id bigint, day date, breached_at timestamptz, fact_id bigint, source_created_at timestamptz, json_path text, reason text)
language sql
stable
as $$
    with candidate as (
        select
            fact."shopDomain" as shop_domain,
            fact."createdAt"::date as day,
            element.in_value,
            element.position is null as is_not_array,
            element.is_object,
            element.is_breached,
            element.id_text,
            element.breached_text,
            element.created_text,
            case when element.in_value then fact.metadata -> 'slaMinutes' end as sla_minutes,
            array_agg(fact.id) as fact_ids,
            array_agg(fact."createdAt") as created,
            array_agg(element.position) as positions
        from ${app_schema}."DashboardFact" as fact
        cross join lateral (
            select
                true as in_value, item.ordinality - 1 as position,
                jsonb_typeof(item.element) = 'object' as is_object,
                item.element -> 'slaBreached' = 'true' as is_breached,
                item.element ->> 'id' as id_text, item.element ->> 'breachedAt' as breached_text, item.element ->> 'createdAt' as created_text
            from (select) as one
            left join lateral jsonb_path_query(fact.value, 'strict $[*]', '{}', true) with ordinality as item(element, ordinality) on true
            where case
                when item.element is null then jsonb_typeof(fact.value) <> 'array'
                else jsonb_typeof(item.element) <> 'object' or coalesce(item.element -> 'slaBreached', 'null') not in ('false', 'null')
            end
            union all
            select false, item.ordinality - 1, jsonb_typeof(item.element) = 'object', true,
                item.element ->> 'conversationId', item.element ->> 'breachedAt', null
            from (select) as one
            left join lateral jsonb_path_query(fact.metadata, 'strict $.breaches[*]', '{}', true) with ordinality as item(element, ordinality) on true
            where item.element is not null or jsonb_typeof(fact.metadata -> 'breaches') not in ('array', 'null')
        ) as element
        where fact."factType" = 'chatwoot.escalations'
          and fact."createdAt" >= parse_escalations.first_day and fact."createdAt" < parse_escalations.end_day
          and not metrics.is_blank(fact."shopDomain") and fact."shopDomain" <> '__aggregate__'
        group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ),

    parsed as (
        select
            candidate.*,
            metrics.parse_digits(candidate.id_text) as conversation_id,
            metrics.instant_from_iso(candidate.breached_text) as reported_at
        from candidate
        offset 0
    ),

    fallback as (
        select
            parsed.*,
            created.created_at,
            created.sla_interval,
            case
                when parsed.is_breached and parsed.is_object and parsed.conversation_id is not null
                    then coalesce(parsed.reported_at, created.created_at + created.sla_interval)
            end as breached_at
        from parsed
        cross join lateral (
            select
                case when parsed.in_value and parsed.reported_at is null then metrics.instant_from_iso(parsed.created_text) end as created_at,
                case when parsed.in_value and parsed.reported_at is null then metrics.sla_interval(parsed.sla_minutes) end as sla_interval
            offset 0
        ) as created
    ),

    issue as (
        select
            fallback.*,
            case
                when fallback.is_not_array and fallback.in_value then 'value'
                when fallback.is_not_array then 'metadata.breaches'
                when not fallback.is_object and fallback.in_value then 'value[%s]'
                when not fallback.is_object then 'metadata.breaches[%s]'
                when not fallback.is_breached then 'value[%s].slaBreached'
                when fallback.conversation_id is null and fallback.in_value then 'value[%s].id'
                when fallback.conversation_id is null then 'metadata.breaches[%s].conversationId'
                when fallback.reported_at is not null then null
                when not fallback.in_value then 'metadata.breaches[%s].breachedAt'
                when fallback.breached_text is not null then 'value[%s].breachedAt'
                when fallback.created_at is null then 'value[%s].createdAt'
                when fallback.sla_interval is null then 'value[%s].breachedAt'
            end as path_pattern,
            case
                when fallback.is_not_array and fallback.in_value then 'not a JSON array: no conversation of this row read'
                when fallback.is_not_array then 'not a JSON array (nor null): no breach of metadata.breaches read'
                when not fallback.is_object then 'not a JSON object: element skipped'
                when not fallback.is_breached then 'slaBreached is not true, false or null: element skipped'
                when fallback.conversation_id is null then 'not an integer or a string of digits: breach skipped'
                when fallback.reported_at is not null then null
                when not fallback.in_value then 'not a valid ISO-8601 timestamp: breach skipped'
                when fallback.breached_text is not null and fallback.breached_at is not null
                    then 'not a valid ISO-8601 timestamp: createdAt + metadata.slaMinutes used instead'
                when fallback.breached_text is not null then 'not a valid ISO-8601 timestamp, and createdAt + metadata.slaMinutes is unavailable: breach skipped'
                when fallback.created_at is null then 'breachedAt is missing and createdAt is not a valid ISO-8601 timestamp: breach skipped'
                when fallback.sla_interval is null then 'missing, and metadata.slaMinutes is not a number (of at most 1e9 minutes in size): breach skipped'
            end as reason
        from fallback
    )

    select issue.shop_domain, issue.conversation_id, issue.day, min(issue.breached_at), null::bigint, null::timestamptz, null, null
    from issue
    where issue.breached_at is not null
    group by issue.shop_domain, issue.conversation_id, issue.day
    union all
    select issue.shop_domain, null, issue.day, null, element.fact_id, element.created_at at time zone 'UTC', format(issue.path_pattern, element.position), issue.reason
    from issue
    cross join lateral unnest(issue.fact_ids, issue.created, issue.positions) as element(fact_id, created_at, position)
    where issue.path_pattern is not null
$$;

comment on function metrics_staging.parse_escalations(date, date) is
    'The breach partials of the UTC days [first_day, end_day): per shop, conversation and day the earliest valid breach instant of the chatwoot.escalations rows (breachedAt, else createdAt + metadata.slaMinutes), with the issues of the elements skipped or degraded.';

-- Grain: one row per shop, flagged landing page, range end and UTC day of ga.sessions.anomalies
-- rows, plus one row per element or field skipped (fact_id, json_path and reason set).
create or replace function metrics_staging.parse_anomalies(first_day date, end_day date)
returns table (
    shop_domain text, landing_page text, range_end date, day date, detected_at timestamptz,
    fact_id bigint, source_created_at timestamptz, json_path text, reason text
)
language sql
stable
as $$
    select
        fact."shopDomain",
        page.landing_page,
        range.range_end,
        fact."createdAt"::date,
        min(fact."createdAt") at time zone 'UTC',
        case when page.json_path is not null then fact.id end,
        case when page.json_path is not null then fact."createdAt" at time zone 'UTC' end,
        page.json_path,
        min(page.reason)
    from ${app_schema}."DashboardFact" as fact
    cross join lateral (
        select
            coalesce(fact.metadata #> '{range,end}', 'null') as reported_range_end,
            coalesce(metrics.parse_date(fact.metadata #> '{range,end}'), fact."createdAt"::date) as range_end
        offset 0
    ) as range
    cross join lateral (
        select
            case when classified.is_anomaly and classified.landing_page is not null then classified.landing_page end as landing_page,
            case
                when classified.position is null then 'value'
                when not classified.is_object then format('value[%s]', classified.position)
                when classified.is_anomaly is null and classified.is_anomaly_flag <> 'null' then format('value[%s].isAnomaly', classified.position)
                when classified.is_anomaly is null then format('value[%s].wowDelta', classified.position)
                when classified.is_anomaly and classified.landing_page is null then format('value[%s].landingPage', classified.position)
            end as json_path,
            case
                when classified.position is null then 'not a JSON array: no landing page of this row read'
                when not classified.is_object then 'not a JSON object: element skipped'
                when classified.is_anomaly is null and classified.is_anomaly_flag <> 'null' then 'isAnomaly is not true, false or null: element skipped'
                when classified.is_anomaly is null then 'not a number while isAnomaly is absent: element skipped'
                when classified.is_anomaly and classified.landing_page is null then 'missing or empty landing page: anomaly skipped'
            end as reason
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
                    item.ordinality - 1 as position,
                    jsonb_typeof(item.element) = 'object' as is_object,
                    coalesce(item.element -> 'isAnomaly', 'null') as is_anomaly_flag,
                    coalesce(item.element -> 'wowDelta', 'null') as wow_delta,
                    case when item.element ->> 'landingPage' ~ '\S' and jsonb_typeof(item.element -> 'landingPage') = 'string'
                        then item.element ->> 'landingPage'
                    end as landing_page
                from (select) as one
                left join lateral jsonb_path_query(fact.value, 'strict $[*]', '{}', true) with ordinality as item(element, ordinality) on true
                where item.element is not null or jsonb_typeof(fact.value) <> 'array'
                offset 0
            ) as field
            offset 0
        ) as classified
        union all
        select null, 'metadata.range.end', 'not a YYYY-MM-DD date: the row''s createdAt date is used as range end'
        where range.reported_range_end <> 'null' and metrics.parse_date(range.reported_range_end) is null
    ) as page
    where fact."factType" = 'ga.sessions.anomalies'
      and fact."createdAt" >= parse_anomalies.first_day and fact."createdAt" < parse_anomalies.end_day
      and not metrics.is_blank(fact."shopDomain") and fact."shopDomain" <> '__aggregate__'
    group by 1, 2, 3, 4, 6, 7, 8
$$;

comment on function metrics_staging.parse_anomalies(date, date) is
    'The anomaly partials of the UTC days [first_day, end_day): per shop, flagged landing page, range end and day the earliest GA row (isAnomaly true, or absent with wowDelta <= -0.2), with the issues of the elements skipped.';
