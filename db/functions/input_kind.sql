-- The input kind of a "DashboardFact" row, as the change log and the refresh name it: the fact
-- types the metrics read, and NULL for every other (shopify.*, our own metrics.* facts, ...).
-- Ops decisions of "DecisionLog" are the fourth kind, 'decision'.

create or replace function metrics_staging.input_kind(fact_type text)
returns text
language sql
immutable parallel safe
as $$
    select case fact_type
        when 'dashboard.session.opened' then 'session'
        when 'chatwoot.escalations' then 'escalation'
        when 'ga.sessions.anomalies' then 'anomaly'
    end
$$;

comment on function metrics_staging.input_kind(text) is
    'session, escalation or anomaly for the three "factType"s the metrics read; NULL for any other.';
