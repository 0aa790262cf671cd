-- The newest aggregate fact of each metric type, written once: for the *_current views and for
-- `metrics status`. A function rather than a view: its SQL is not dependency-tracked, so it pins
-- no column of the app's "DashboardFact" (the app's own ALTER TABLE stays possible). Security
-- definer, as a view would be: analysts read the current views but not "DashboardFact"; it
-- returns only our own aggregate facts, the rows metrics_staging.written_fact names (never a
-- duplicate another writer added). The search_path is pinned as for every definer function.

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
    select distinct on (ours.fact_type)
        ours.fact_type,
        fact.value,
        fact.metadata,
        metrics.parse_instant(fact.value -> 'windowStart'),
        ours.window_end,
        metrics.parse_instant(fact.metadata -> 'generatedAt'),
        fact."updatedAt" at time zone 'UTC'
    from metrics_staging.written_fact as ours
    inner join ${app_schema}."DashboardFact" as fact on fact.id = ours.fact_id
    order by ours.fact_type, ours.window_end desc
$$;

comment on function metrics_staging.newest_fact() is
    'For each of the three metric fact types, the package''s own aggregate fact (metrics_staging.written_fact) with the greatest windowEnd: type, value, metadata, windowStart, windowEnd, generatedAt and "updatedAt" as timestamptz.';
