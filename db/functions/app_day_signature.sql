-- The signature of the app rows of one input kind on each UTC day of [first_day, end_day): row
-- count and sum of ids, read by an index-only scan of migration 0013's indexes (no row's JSON is
-- read). metrics.refresh stores it in metrics_staging.day_signature for each day it parses, and
-- compares the stored ones with this on every refresh to find days changed behind the triggers'
-- back. A plain SQL function, like the parsing: it pins no column of the app tables.

-- Grain: one row per UTC day of "createdAt" with rows of input_kind in the range.
create or replace function metrics_staging.app_day_signature(input_kind text, first_day date, end_day date)
returns table (day date, row_count bigint, id_sum numeric)
language sql
stable
as $$
    select fact."createdAt"::date, count(*), sum(fact.id)::numeric
    from ${app_schema}."DashboardFact" as fact
    where fact."factType" = case input_kind
            when 'session' then 'dashboard.session.opened'
            when 'escalation' then 'chatwoot.escalations'
            when 'anomaly' then 'ga.sessions.anomalies'
        end
      and fact."createdAt" >= first_day and fact."createdAt" < end_day
    group by fact."createdAt"::date
    union all
    select decision."createdAt"::date, count(*), sum(decision.id)::numeric
    from ${app_schema}."DecisionLog" as decision
    where input_kind = 'decision'
      and decision.scope = 'ops'
      and decision."createdAt" >= first_day and decision."createdAt" < end_day
    group by decision."createdAt"::date
$$;

comment on function metrics_staging.app_day_signature(text, date, date) is
    'Row count and sum of ids of the app rows of one input kind (session, escalation, anomaly, decision) per UTC day of "createdAt" in [first_day, end_day), from an index-only scan.';
