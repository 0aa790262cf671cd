-- The floor F of the benchmark: one pass over all history that unnests every JSON element
-- the metrics read and extracts the fields they use as text, with no parsing and no cutoff.
-- Nothing can be cheaper and still read the inputs: an incremental refresh should cost a
-- fraction of it, a full rebuild a small multiple. count(expression) makes every extraction
-- run; the result is one number, so no rows travel to the client.
with escalation as (
    select value, metadata
    from "DashboardFact"
    where "factType" = 'chatwoot.escalations'
),

conversation as (
    select
        element ->> 'id' as conversation_id,
        element ->> 'slaBreached' as sla_breached,
        element ->> 'breachedAt' as breached_at,
        element ->> 'createdAt' as created_at
    from escalation
    cross join lateral jsonb_array_elements(case jsonb_typeof(value) when 'array' then value else '[]' end) as element
),

breach as (
    select
        element ->> 'conversationId' as conversation_id,
        element ->> 'breachedAt' as breached_at
    from escalation
    cross join lateral jsonb_array_elements(
        case jsonb_typeof(metadata -> 'breaches') when 'array' then metadata -> 'breaches' else '[]' end) as element
),

anomaly_report as (
    select value, metadata
    from "DashboardFact"
    where "factType" = 'ga.sessions.anomalies'
),

anomaly as (
    select
        anomaly_report.metadata -> 'range' ->> 'end' as range_end,
        element ->> 'landingPage' as landing_page,
        element ->> 'isAnomaly' as is_anomaly,
        element ->> 'wowDelta' as wow_delta
    from anomaly_report
    cross join lateral jsonb_array_elements(case jsonb_typeof(value) when 'array' then value else '[]' end) as element
),

session as (
    select "shopDomain" as shop_domain, "createdAt" as opened_at
    from "DashboardFact"
    where "factType" = 'dashboard.session.opened'
),

decision as (
    select "shopDomain" as shop_domain, action, "externalRef" as external_ref, payload ->> 'landingPage' as landing_page, "createdAt" as decided_at
    from "DecisionLog"
    where scope = 'ops'
)

select
    (select count(conversation_id) + count(sla_breached) + count(breached_at) + count(created_at) from conversation)
  + (select count(conversation_id) + count(breached_at) from breach)
  + (select count(escalation.metadata ->> 'slaMinutes') from escalation)
  + (select count(range_end) + count(landing_page) + count(is_anomaly) + count(wow_delta) from anomaly)
  + (select count(shop_domain) + count(opened_at) from session)
  + (select count(shop_domain) + count(action) + count(external_ref) + count(landing_page) + count(decided_at) from decision)
    as fields_read;
