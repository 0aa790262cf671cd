-- The floor F of the benchmark: one pass over all history that unnests every JSON element
-- the metrics read and extracts the fields they use as text, with no parsing and no cutoff.
-- Nothing can be cheaper and still read the inputs: an incremental refresh should cost a
-- fraction of it, a full rebuild a small multiple. count(expression) makes every extraction
-- run; the result is one number, so no rows travel to the client. Each escalation row is
-- read once, its value and metadata.breaches elements in the same pass (the row-level fields,
-- slaMinutes and range.end, are read with each element: a negligible cost).
with escalation as (
    select
        count(element ->> 'id') + count(element ->> 'slaBreached') + count(element ->> 'breachedAt') + count(element ->> 'createdAt')
      + count(element ->> 'conversationId') + count(fact.metadata ->> 'slaMinutes') as fields
    from "DashboardFact" as fact
    cross join lateral (
        select * from jsonb_array_elements(case jsonb_typeof(fact.value) when 'array' then fact.value else '[]' end)
        union all
        select * from jsonb_array_elements(
            case jsonb_typeof(fact.metadata -> 'breaches') when 'array' then fact.metadata -> 'breaches' else '[]' end)
    ) as element(element)
    where fact."factType" = 'chatwoot.escalations'
),

anomaly as (
    select
        count(element ->> 'landingPage') + count(element ->> 'isAnomaly') + count(element ->> 'wowDelta')
      + count(fact.metadata -> 'range' ->> 'end') as fields
    from "DashboardFact" as fact
    cross join lateral jsonb_array_elements(case jsonb_typeof(fact.value) when 'array' then fact.value else '[]' end) as element
    where fact."factType" = 'ga.sessions.anomalies'
),

session as (
    select count("shopDomain") + count("createdAt") as fields
    from "DashboardFact"
    where "factType" = 'dashboard.session.opened'
),

decision as (
    select count("shopDomain") + count(action) + count("externalRef") + count(payload ->> 'landingPage') + count("createdAt") as fields
    from "DecisionLog"
    where scope = 'ops'
)

select escalation.fields + anomaly.fields + session.fields + decision.fields as fields_read
from escalation
cross join anomaly
cross join session
cross join decision;
