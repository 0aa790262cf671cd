-- The metrics per entity, as materialized views that metrics.refresh(as_of) refreshes
-- CONCURRENTLY (readers are never blocked; that needs the unique index on each grain).
--
-- Data cutoff: the staging views they read (0004) hold only app rows created before
-- metrics.data_cutoff(), the window_end of the newest refresh, so the views and the facts
-- written by one refresh describe the same instant, also for a refresh as of a past
-- instant. Before the first refresh the cutoff is -infinity and the views are empty.
--
-- Intervals are written in hours (168, 24), never days, so that no result depends on the
-- session's TimeZone (a '7 days' step crosses daylight-saving changes in local time).

-- Grain: one row per shop that has opened the dashboard.
-- Sources: metrics_staging.session_opened, metrics_staging.ops_decision.
create materialized view metrics.shop_activation as
with first_session as (
    select
        session.shop_domain,
        min(session.opened_at) as first_session_at
    from metrics_staging.session_opened as session
    group by session.shop_domain
),

first_decision as (
    select
        first_session.shop_domain,
        min(decision.decided_at) as first_decision_at
    from first_session
    inner join metrics_staging.ops_decision as decision
        on decision.shop_domain = first_session.shop_domain
       and decision.decided_at >= first_session.first_session_at
       and decision.decided_at < first_session.first_session_at + interval '168 hours'
    group by first_session.shop_domain
)

select
    first_session.shop_domain,
    first_session.first_session_at,
    (first_session.first_session_at at time zone 'UTC')::date as cohort_day,
    first_session.first_session_at + interval '168 hours' as activation_deadline_at,
    first_decision.first_decision_at,
    first_decision.first_decision_at is not null as is_activated,
    first_session.first_session_at + interval '168 hours' <= (select metrics.data_cutoff()) as is_activation_window_complete
from first_session
left join first_decision on first_decision.shop_domain = first_session.shop_domain;

create unique index shop_activation_grain on metrics.shop_activation (shop_domain);

comment on materialized view metrics.shop_activation is
    'Activation per shop: one row per shop that has opened the dashboard. A shop is activated when it logs an operator (scope ops) decision within 7 days (168 h) of its first dashboard session. Reads app rows created before the newest refresh''s window_end; refreshed by metrics.refresh().';
comment on column metrics.shop_activation.shop_domain is 'Shop (Shopify domain).';
comment on column metrics.shop_activation.first_session_at is 'Earliest dashboard.session.opened of the shop: when it was onboarded.';
comment on column metrics.shop_activation.cohort_day is 'UTC date of first_session_at: the cohort the shop belongs to.';
comment on column metrics.shop_activation.activation_deadline_at is 'first_session_at + 7 days: decisions at or after it do not activate the shop.';
comment on column metrics.shop_activation.first_decision_at is 'Earliest ops decision of the shop in [first_session_at, activation_deadline_at); NULL when none (yet).';
comment on column metrics.shop_activation.is_activated is 'True when first_decision_at is set.';
comment on column metrics.shop_activation.is_activation_window_complete is 'True when the shop''s 7 days ended before the data cutoff, so is_activated can no longer change.';

-- Grain: one row per breach, i.e. per (shop, conversation) ever breached.
-- Sources: metrics_staging.escalation_breach, metrics_staging.ops_decision.
create materialized view metrics.sla_breach as
with breach as (
    select
        candidate.shop_domain,
        candidate.conversation_id,
        min(candidate.breached_at) as breached_at
    from metrics_staging.escalation_breach as candidate
    where candidate.conversation_id is not null
      and candidate.breached_at is not null
    group by candidate.shop_domain, candidate.conversation_id
),

first_action as (
    select distinct on (breach.shop_domain, breach.conversation_id)
        breach.shop_domain,
        breach.conversation_id,
        decision.decided_at as first_action_at,
        decision.action as first_action
    from breach
    inner join metrics_staging.ops_decision as decision
        on decision.shop_domain = breach.shop_domain
       and decision.conversation_id = breach.conversation_id
       and decision.decided_at >= breach.breached_at
    order by breach.shop_domain, breach.conversation_id, decision.decided_at, decision.decision_id
)

select
    breach.shop_domain,
    breach.conversation_id,
    breach.breached_at,
    first_action.first_action_at,
    first_action.first_action,
    trim_scale(extract(epoch from first_action.first_action_at - breach.breached_at) / 60) as resolution_minutes,
    first_action.first_action_at is null as is_open
from breach
left join first_action
    on first_action.shop_domain = breach.shop_domain
   and first_action.conversation_id = breach.conversation_id;

create unique index sla_breach_grain on metrics.sla_breach (shop_domain, conversation_id);

comment on materialized view metrics.sla_breach is
    'SLA resolution per breach: one row per (shop, Chatwoot conversation) that breached its SLA, however many escalation rows repeat it. Reads app rows created before the newest refresh''s window_end; refreshed by metrics.refresh().';
comment on column metrics.sla_breach.shop_domain is 'Shop the conversation belongs to (the same conversation id in two shops is two breaches).';
comment on column metrics.sla_breach.conversation_id is 'Chatwoot conversation id.';
comment on column metrics.sla_breach.breached_at is 'Earliest breach instant found for the conversation in any escalation row (breachedAt, or createdAt + slaMinutes in older rows).';
comment on column metrics.sla_breach.first_action_at is 'Earliest ops decision referring to the conversation (externalRef chatwoot:<id>) at or after breached_at; NULL while open.';
comment on column metrics.sla_breach.first_action is 'Action name of that first decision, e.g. chatwoot.reply.<templateId>; NULL while open.';
comment on column metrics.sla_breach.resolution_minutes is 'Minutes from breached_at to first_action_at (exact, unrounded); NULL while open.';
comment on column metrics.sla_breach.is_open is 'True when no operator has acted on the conversation since the breach (before the data cutoff).';

-- Grain: one row per anomaly, i.e. per (shop, landing page, range end).
-- Sources: metrics_staging.anomaly_element, metrics_staging.ops_decision.
create materialized view metrics.landing_page_anomaly as
with anomaly as (
    select
        element.shop_domain,
        element.landing_page,
        element.range_end,
        min(element.fact_created_at) as detected_at
    from metrics_staging.anomaly_element as element
    where element.is_anomaly
    group by element.shop_domain, element.landing_page, element.range_end
),

first_response as (
    select
        anomaly.shop_domain,
        anomaly.landing_page,
        anomaly.range_end,
        min(decision.decided_at) as responded_at
    from anomaly
    inner join metrics_staging.ops_decision as decision
        on decision.shop_domain = anomaly.shop_domain
       and decision.landing_page = anomaly.landing_page
       and decision.decided_at >= anomaly.detected_at
    group by anomaly.shop_domain, anomaly.landing_page, anomaly.range_end
)

select
    anomaly.shop_domain,
    anomaly.landing_page,
    anomaly.range_end,
    anomaly.detected_at,
    first_response.responded_at,
    coalesce(first_response.responded_at < anomaly.detected_at + interval '24 hours', false) as is_responded_within_24h
from anomaly
left join first_response
    on first_response.shop_domain = anomaly.shop_domain
   and first_response.landing_page = anomaly.landing_page
   and first_response.range_end = anomaly.range_end;

create unique index landing_page_anomaly_grain on metrics.landing_page_anomaly (shop_domain, landing_page, range_end);

comment on materialized view metrics.landing_page_anomaly is
    'Anomaly response per anomaly: one row per (shop, landing page, GA range end) flagged in ga.sessions.anomalies (isAnomaly true, or absent with wowDelta <= -0.2). Reads app rows created before the newest refresh''s window_end; refreshed by metrics.refresh().';
comment on column metrics.landing_page_anomaly.shop_domain is 'Shop whose GA property showed the anomaly.';
comment on column metrics.landing_page_anomaly.landing_page is 'Landing page (path or URL) with the anomalous sessions.';
comment on column metrics.landing_page_anomaly.range_end is 'End date of the GA comparison range (metadata.range.end, else the UTC date of the row).';
comment on column metrics.landing_page_anomaly.detected_at is 'createdAt of the earliest GA row holding the anomaly.';
comment on column metrics.landing_page_anomaly.responded_at is 'Earliest seo.assignment.* ops decision for the same shop and landing page at or after detected_at; NULL when none.';
comment on column metrics.landing_page_anomaly.is_responded_within_24h is 'True when responded_at is less than 24 hours after detected_at.';

-- Grain: one row per skipped or degraded element (a row of the app tables plus a JSON path).
-- Sources: the issue rows of metrics_staging.escalation_breach, anomaly_element, ops_decision.
create materialized view metrics.data_quality_issue as
select
    'DashboardFact' as source_table,
    candidate.fact_id as source_id,
    'chatwoot.escalations' as source_kind,
    candidate.shop_domain,
    candidate.fact_created_at as source_created_at,
    candidate.issue_path as json_path,
    candidate.issue_reason as reason
from metrics_staging.escalation_breach as candidate
where candidate.issue_path is not null
union all
select
    'DashboardFact',
    element.fact_id,
    'ga.sessions.anomalies',
    element.shop_domain,
    element.fact_created_at,
    element.issue_path,
    element.issue_reason
from metrics_staging.anomaly_element as element
where element.issue_path is not null
union all
select
    'DecisionLog',
    decision.decision_id,
    decision.action,
    decision.shop_domain,
    decision.decided_at,
    decision.issue_path,
    decision.issue_reason
from metrics_staging.ops_decision as decision
where decision.issue_path is not null;

create unique index data_quality_issue_grain on metrics.data_quality_issue (source_table, source_id, json_path);

comment on materialized view metrics.data_quality_issue is
    'Data quality: one row per element of the app rows that broke a parsing rule and was skipped (or, where noted, replaced by a fallback). Valid elements of the same row still count. Reads app rows created before the newest refresh''s window_end; refreshed by metrics.refresh().';
comment on column metrics.data_quality_issue.source_table is 'App table of the row: DashboardFact or DecisionLog.';
comment on column metrics.data_quality_issue.source_id is 'id of the row in source_table.';
comment on column metrics.data_quality_issue.source_kind is '"factType" of a DashboardFact row, or action of a DecisionLog row.';
comment on column metrics.data_quality_issue.shop_domain is 'Shop of the row.';
comment on column metrics.data_quality_issue.source_created_at is '"createdAt" of the row.';
comment on column metrics.data_quality_issue.json_path is 'Path of the invalid element or field inside the row, e.g. value[3].id, metadata.breaches[0].breachedAt, externalRef.';
comment on column metrics.data_quality_issue.reason is 'What was invalid and what was skipped or used instead.';
