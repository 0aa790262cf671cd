-- The newest aggregate fact of each metric type, written once: for the *_current views and for
-- `metrics status`. A function rather than a view: its SQL is not dependency-tracked, so it pins
-- no column of the app's "DashboardFact" (the app's own ALTER TABLE stays possible). Security
-- definer, as a view would be: analysts read the current views but not "DashboardFact"; it
-- returns only our own aggregate facts. The search_path is pinned as for every definer function.

create or replace function metrics_staging.newest_fact()
returns table (
    fact_type text, value jsonb, metadata jsonb, window_start timestamptz, window_end timestamptz,
    generated_at timestamptz, updated_at timestamptz
)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
    select distinct on (fact."factType")
        fact."factType",
        fact.value,
        fact.metadata,
        metrics.parse_instant(fact.value -> 'windowStart'),
        metrics.parse_instant(fact.value -> 'windowEnd'),
        metrics.parse_instant(fact.metadata -> 'generatedAt'),
        fact."updatedAt" at time zone 'UTC'
    from ${app_schema}."DashboardFact" as fact
    where fact."shopDomain" = '__aggregate__'
      and fact."factType" in ('metrics.activation.rolling7d', 'metrics.sla_resolution.rolling7d', 'metrics.anomaly_response.rolling7d')
    order by fact."factType", metrics.parse_instant(fact.value -> 'windowEnd') desc nulls last, fact.id desc
$$;

comment on function metrics_staging.newest_fact() is
    'For each of the three metric fact types, the aggregate fact with the greatest windowEnd (ties: the latest row): type, value, metadata, windowStart, windowEnd, generatedAt and "updatedAt" as timestamptz.';
