-- Staging: the one place where the app's rows are filtered and their JSON is unnested and
-- parsed (SPEC.md "Source tables", "Lenient parsing"). Every metric reads these views, never
-- the JSON itself, so a parsing rule is written once.
--
-- Common rules applied here: facts are selected by "factType" alone (scope is not
-- filtered); rows whose "shopDomain" is NULL, empty or only whitespace are dropped; our own
-- outputs ("shopDomain" = '__aggregate__') are never inputs; "createdAt" (timestamp holding
-- UTC) becomes timestamptz. Elements that break a parsing rule keep a row with issue_path and
-- issue_reason set, which metrics.data_quality_issue reports.
--
-- Data cutoff: the views read only app rows created before metrics.data_cutoff(), the
-- window_end of the newest refresh (see 0005), compared on the raw "createdAt" so that the
-- app's indexes serve it. Internal: schema metrics_staging is not granted to analysts.

create schema if not exists metrics_staging;

revoke all on schema metrics_staging from public;

comment on schema metrics_staging is
    'Internal to the metrics package: the app rows created before the data cutoff, filtered, unnested and parsed, one view per input kind, one row per JSON element. Analysts read the views in schema metrics instead.';

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
  and fact."shopDomain" <> '__aggregate__'
  and fact."createdAt" < (select metrics.data_cutoff() at time zone 'UTC');

comment on view metrics_staging.input_fact is 'One row per "DashboardFact" row of a real shop (not blank, not __aggregate__) created before the data cutoff: what the input views select from, by fact_type.';
comment on column metrics_staging.input_fact.fact_id is '"DashboardFact".id.';
comment on column metrics_staging.input_fact.fact_type is '"factType" (facts are selected by it alone; scope is not filtered).';
comment on column metrics_staging.input_fact.shop_domain is '"shopDomain".';
comment on column metrics_staging.input_fact.fact_created_at is '"createdAt" (a timestamp holding UTC) as timestamptz.';
comment on column metrics_staging.input_fact.value is 'value (jsonb), unparsed: may hold personal data; only the views below read it.';
comment on column metrics_staging.input_fact.metadata is 'metadata (jsonb), unparsed.';

-- One row per dashboard visit (dashboard.session.opened fact).
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

-- One row per operator decision (scope ops) of a real shop.
create view metrics_staging.ops_decision as
select
    decision.id as decision_id,
    decision."shopDomain" as shop_domain,
    decision.action,
    decision."createdAt" at time zone 'UTC' as decided_at,
    metrics.parse_external_ref(decision."externalRef") as conversation_id,
    case when starts_with(decision.action, 'seo.assignment.') then decision.payload ->> 'landingPage' end as landing_page,
    case
        when starts_with(decision.action, 'chatwoot.') and metrics.parse_external_ref(decision."externalRef") is null
            then 'externalRef'
    end as issue_path,
    case
        when starts_with(decision.action, 'chatwoot.') and metrics.parse_external_ref(decision."externalRef") is null
            then 'a chatwoot action whose externalRef is not chatwoot:<digits>: it answers no breach'
    end as issue_reason
from ${app_schema}."DecisionLog" as decision
where decision.scope = 'ops'
  and not metrics.is_blank(decision."shopDomain")
  and decision."shopDomain" <> '__aggregate__'
  and decision."createdAt" < (select metrics.data_cutoff() at time zone 'UTC');

comment on view metrics_staging.ops_decision is 'One row per "DecisionLog" row with scope ops of a real shop: an operator action (scope build is not).';
comment on column metrics_staging.ops_decision.decision_id is '"DecisionLog".id.';
comment on column metrics_staging.ops_decision.shop_domain is 'Shop the decision was made for.';
comment on column metrics_staging.ops_decision.action is 'Action name, e.g. chatwoot.reply.<templateId> or seo.assignment.<kind>.';
comment on column metrics_staging.ops_decision.decided_at is '"createdAt" of the decision, as timestamptz.';
comment on column metrics_staging.ops_decision.conversation_id is 'Conversation the "externalRef" refers to (chatwoot:<digits>), else NULL.';
comment on column metrics_staging.ops_decision.landing_page is 'payload.landingPage of seo.assignment.* decisions, else NULL.';
comment on column metrics_staging.ops_decision.issue_path is 'externalRef when a chatwoot.* decision refers to no conversation, else NULL.';
comment on column metrics_staging.ops_decision.issue_reason is 'Why the decision cannot answer a breach, else NULL.';

-- One row per breach candidate of a chatwoot.escalations fact: each metadata.breaches
-- element, each value element with slaBreached true, and each element or field that had to
-- be skipped. A row counts as a breach when conversation_id and breached_at are both set.
create view metrics_staging.escalation_breach as
with escalation as (
    select
        fact.fact_id,
        fact.shop_domain,
        fact.fact_created_at,
        fact.value,
        fact.metadata,
        case
            when abs(metrics.parse_number(fact.metadata -> 'slaMinutes')) <= 1000000000
                then make_interval(secs => round(metrics.parse_number(fact.metadata -> 'slaMinutes') * 60, 6)::double precision)
        end as sla_interval
    from metrics_staging.input_fact as fact
    where fact.fact_type = 'chatwoot.escalations'
),

-- Value elements that are breach candidates (slaBreached neither false nor null) or not
-- objects. Materialized: the parsed columns are used several times below, and an inlined CTE
-- would repeat the parsing at each use.
conversation as materialized (
    select
        escalation.fact_id,
        escalation.shop_domain,
        escalation.fact_created_at,
        format('value[%s]', element.ordinality - 1) as element_path,
        element.conversation,
        escalation.sla_interval,
        jsonb_typeof(element.conversation) = 'object' as is_object,
        coalesce(element.conversation -> 'breachedAt', 'null') <> 'null' as has_breached_at,
        metrics.parse_conversation_id(element.conversation -> 'id') as conversation_id,
        metrics.parse_instant(element.conversation -> 'breachedAt') as reported_breached_at,
        metrics.parse_instant(element.conversation -> 'createdAt') as conversation_created_at
    from escalation
    cross join lateral jsonb_array_elements(
        case jsonb_typeof(escalation.value) when 'array' then escalation.value else '[]' end
    ) with ordinality as element(conversation, ordinality)
    where jsonb_typeof(element.conversation) <> 'object'
       or coalesce(element.conversation -> 'slaBreached', 'null') not in ('false', 'null')
),

breached_conversation as (
    select
        conversation.*,
        conversation.conversation_created_at + conversation.sla_interval as derived_breached_at
    from conversation
),

value_breach as (
    select
        fact_id,
        shop_domain,
        fact_created_at,
        element_path,
        case when is_object and conversation -> 'slaBreached' = 'true' then conversation_id end as conversation_id,
        case
            when is_object and conversation -> 'slaBreached' = 'true' and conversation_id is not null
                then coalesce(reported_breached_at, derived_breached_at)
        end as breached_at,
        case
            when not is_object then element_path
            when conversation -> 'slaBreached' <> 'true' then element_path || '.slaBreached'
            when conversation_id is null then element_path || '.id'
            when reported_breached_at is not null then null
            when has_breached_at then element_path || '.breachedAt'
            when derived_breached_at is null and conversation_created_at is null then element_path || '.createdAt'
            when derived_breached_at is null then element_path || '.breachedAt'
        end as issue_path,
        case
            when not is_object then 'not a JSON object: element skipped'
            when conversation -> 'slaBreached' <> 'true' then 'slaBreached is not true, false or null: element skipped'
            when conversation_id is null then 'not an integer or a string of digits: breach skipped'
            when reported_breached_at is not null then null
            when has_breached_at and derived_breached_at is not null
                then 'not a valid ISO-8601 timestamp: createdAt + metadata.slaMinutes used instead'
            when has_breached_at then 'not a valid ISO-8601 timestamp, and createdAt + metadata.slaMinutes is unavailable: breach skipped'
            when derived_breached_at is null and conversation_created_at is null
                then 'breachedAt is missing and createdAt is not a valid ISO-8601 timestamp: breach skipped'
            when derived_breached_at is null
                then 'missing, and metadata.slaMinutes is not a number (of at most 1e9 minutes in size): breach skipped'
        end as issue_reason
    from breached_conversation
),

reported_breach as materialized (
    select
        escalation.fact_id,
        escalation.shop_domain,
        escalation.fact_created_at,
        format('metadata.breaches[%s]', element.ordinality - 1) as element_path,
        element.breach,
        jsonb_typeof(element.breach) = 'object' as is_object,
        metrics.parse_conversation_id(element.breach -> 'conversationId') as conversation_id,
        metrics.parse_instant(element.breach -> 'breachedAt') as breached_at
    from escalation
    cross join lateral jsonb_array_elements(
        case jsonb_typeof(escalation.metadata -> 'breaches') when 'array' then escalation.metadata -> 'breaches' else '[]' end
    ) with ordinality as element(breach, ordinality)
),

metadata_breach as (
    select
        fact_id,
        shop_domain,
        fact_created_at,
        element_path,
        conversation_id,
        case when conversation_id is not null then breached_at end as breached_at,
        case
            when not is_object then element_path
            when conversation_id is null then element_path || '.conversationId'
            when breached_at is null then element_path || '.breachedAt'
        end as issue_path,
        case
            when not is_object then 'not a JSON object: element skipped'
            when conversation_id is null then 'not an integer or a string of digits: breach skipped'
            when breached_at is null then 'not a valid ISO-8601 timestamp: breach skipped'
        end as issue_reason
    from reported_breach
),

malformed_fact as (
    select
        fact_id,
        shop_domain,
        fact_created_at,
        'value' as element_path,
        null::bigint as conversation_id,
        null::timestamptz as breached_at,
        'value' as issue_path,
        'not a JSON array: no conversation of this row read' as issue_reason
    from escalation
    where jsonb_typeof(value) <> 'array'
    union all
    select
        fact_id,
        shop_domain,
        fact_created_at,
        'metadata.breaches',
        null,
        null,
        'metadata.breaches',
        'not a JSON array (nor null): no breach of metadata.breaches read'
    from escalation
    where jsonb_typeof(metadata -> 'breaches') not in ('array', 'null')
)

select * from value_breach
union all
select * from metadata_breach
union all
select * from malformed_fact;

comment on view metrics_staging.escalation_breach is 'One row per breach candidate in chatwoot.escalations facts (metadata.breaches elements and value elements with slaBreached true) and per element skipped as invalid.';
comment on column metrics_staging.escalation_breach.fact_id is '"DashboardFact".id of the escalation row.';
comment on column metrics_staging.escalation_breach.shop_domain is 'Shop of the escalation row.';
comment on column metrics_staging.escalation_breach.fact_created_at is '"createdAt" of the escalation row, as timestamptz.';
comment on column metrics_staging.escalation_breach.element_path is 'Where in the row the candidate is: value[i] or metadata.breaches[i] (0-based).';
comment on column metrics_staging.escalation_breach.conversation_id is 'Parsed conversation id; NULL when invalid.';
comment on column metrics_staging.escalation_breach.breached_at is 'Breach instant: breachedAt, else createdAt + metadata.slaMinutes minutes (value elements); NULL when neither is valid.';
comment on column metrics_staging.escalation_breach.issue_path is 'JSON path of the invalid field, when the candidate was skipped or degraded; else NULL.';
comment on column metrics_staging.escalation_breach.issue_reason is 'What was invalid and what was done about it; else NULL.';

-- One row per element of a ga.sessions.anomalies fact's value array, classified, plus one
-- row per fact whose value is not an array or whose metadata.range.end is not a date.
create view metrics_staging.anomaly_element as
with anomaly_fact as (
    select
        fact.fact_id,
        fact.shop_domain,
        fact.fact_created_at,
        fact.value,
        coalesce(fact.metadata #> '{range,end}', 'null') as reported_range_end,
        coalesce(metrics.parse_date(fact.metadata #> '{range,end}'), (fact.fact_created_at at time zone 'UTC')::date) as range_end
    from metrics_staging.input_fact as fact
    where fact.fact_type = 'ga.sessions.anomalies'
),

element as (
    select
        anomaly_fact.fact_id,
        anomaly_fact.shop_domain,
        anomaly_fact.fact_created_at,
        anomaly_fact.range_end,
        format('value[%s]', element.ordinality - 1) as element_path,
        jsonb_typeof(element.page) = 'object' as is_object,
        coalesce(element.page -> 'isAnomaly', 'null') as is_anomaly_flag,
        coalesce(element.page -> 'wowDelta', 'null') as wow_delta,
        case when element.page ->> 'landingPage' ~ '\S' and jsonb_typeof(element.page -> 'landingPage') = 'string'
            then element.page ->> 'landingPage'
        end as landing_page
    from anomaly_fact
    cross join lateral jsonb_array_elements(
        case jsonb_typeof(anomaly_fact.value) when 'array' then anomaly_fact.value else '[]' end
    ) with ordinality as element(page, ordinality)
),

classified as materialized (
    select
        element.*,
        case
            when not is_object then null
            when is_anomaly_flag = 'true' then true
            when is_anomaly_flag = 'false' then false
            when is_anomaly_flag <> 'null' then null
            when wow_delta = 'null' then false
            else metrics.parse_number(wow_delta) <= -0.2
        end as is_anomaly
    from element
)

select
    fact_id,
    shop_domain,
    fact_created_at,
    element_path,
    landing_page,
    range_end,
    coalesce(is_anomaly and landing_page is not null, false) as is_anomaly,
    case
        when not is_object then element_path
        when is_anomaly is null and is_anomaly_flag <> 'null' then element_path || '.isAnomaly'
        when is_anomaly is null then element_path || '.wowDelta'
        when is_anomaly and landing_page is null then element_path || '.landingPage'
    end as issue_path,
    case
        when not is_object then 'not a JSON object: element skipped'
        when is_anomaly is null and is_anomaly_flag <> 'null' then 'isAnomaly is not true, false or null: element skipped'
        when is_anomaly is null then 'not a number while isAnomaly is absent: element skipped'
        when is_anomaly and landing_page is null then 'missing or empty landing page: anomaly skipped'
    end as issue_reason
from classified
union all
select
    fact_id,
    shop_domain,
    fact_created_at,
    'value',
    null,
    range_end,
    false,
    'value',
    'not a JSON array: no landing page of this row read'
from anomaly_fact
where jsonb_typeof(value) <> 'array'
union all
select
    fact_id,
    shop_domain,
    fact_created_at,
    'metadata.range.end',
    null,
    range_end,
    false,
    'metadata.range.end',
    'not a YYYY-MM-DD date: the row''s createdAt date is used as range end'
from anomaly_fact
where reported_range_end <> 'null'
  and metrics.parse_date(reported_range_end) is null;

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
