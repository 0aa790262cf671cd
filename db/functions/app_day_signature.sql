-- The signature of the app rows of one input kind on each UTC day of [first_day, end_day): row
-- count and sum of ids, read by index-only scans of migration 0013's indexes (no row's JSON is
-- read). metrics.refresh stores it in metrics_staging.day_signature for each day it parses, and
-- compares the stored ones with this on every refresh to find days changed behind the triggers'
-- back (metrics_staging.mismatched_day). A plain SQL function, like the parsing: it pins no
-- column of the app tables.
--
-- One range scan per day, from the kind's first to its last finite day in the range (two index
-- descents find them), each summing its index entries in order: half the cost of grouping all
-- entries by day in a hash table, which this check, run on every refresh over all history, felt.
-- Rows dated -infinity or infinity (valid in a timestamp column) are signed on their own day
-- (-infinity or infinity). Parameters are qualified: a column the app adds with one of their
-- names must not take their place.

-- Grain: one row per UTC day of "createdAt" with rows of input_kind in the range.
create or replace function metrics_staging.app_day_signature(input_kind text, first_day date, end_day date)
returns table (day date, row_count bigint, id_sum numeric)
language sql
stable
as $$
    with fact_type (name) as (
        select case app_day_signature.input_kind
            when 'session' then 'dashboard.session.opened'
            when 'escalation' then 'chatwoot.escalations'
            when 'anomaly' then 'ga.sessions.anomalies'
        end
        where app_day_signature.input_kind <> 'decision'
    ),

    span (first_day, last_day) as (
        select
            (select min(fact."createdAt") from ${app_schema}."DashboardFact" as fact
             where fact."factType" = fact_type.name and fact."createdAt" > '-infinity' and fact."createdAt" < 'infinity'
               and fact."createdAt" >= app_day_signature.first_day and fact."createdAt" < app_day_signature.end_day)::date,
            (select max(fact."createdAt") from ${app_schema}."DashboardFact" as fact
             where fact."factType" = fact_type.name and fact."createdAt" > '-infinity' and fact."createdAt" < 'infinity'
               and fact."createdAt" >= app_day_signature.first_day and fact."createdAt" < app_day_signature.end_day)::date
        from fact_type
        where fact_type.name is not null
        union all
        select
            (select min(decision."createdAt") from ${app_schema}."DecisionLog" as decision
             where decision.scope = 'ops' and decision."createdAt" > '-infinity' and decision."createdAt" < 'infinity'
               and decision."createdAt" >= app_day_signature.first_day and decision."createdAt" < app_day_signature.end_day)::date,
            (select max(decision."createdAt") from ${app_schema}."DecisionLog" as decision
             where decision.scope = 'ops' and decision."createdAt" > '-infinity' and decision."createdAt" < 'infinity'
               and decision."createdAt" >= app_day_signature.first_day and decision."createdAt" < app_day_signature.end_day)::date
        where app_day_signature.input_kind = 'decision'
    ),

    each_day (day) as (
        select span.first_day + day_offset
        from span
        cross join generate_series(0, span.last_day - span.first_day) as day_offset
    )

    select each_day.day, signature.row_count, signature.id_sum
    from each_day
    left join fact_type on true
    cross join lateral (
        select count(*) as row_count, sum(fact.id)::numeric as id_sum
        from ${app_schema}."DashboardFact" as fact
        where fact."factType" = fact_type.name
          and fact."createdAt" >= each_day.day and fact."createdAt" < each_day.day + 1
        union all
        select count(*), sum(decision.id)::numeric
        from ${app_schema}."DecisionLog" as decision
        where app_day_signature.input_kind = 'decision'
          and decision.scope = 'ops'
          and decision."createdAt" >= each_day.day and decision."createdAt" < each_day.day + 1
    ) as signature
    where signature.row_count > 0
    union all
    -- rows dated -infinity or infinity
    select fact."createdAt"::date, count(*), sum(fact.id)::numeric
    from ${app_schema}."DashboardFact" as fact
    inner join fact_type on fact."factType" = fact_type.name
    where fact."createdAt" in ('-infinity', 'infinity')
      and fact."createdAt" >= app_day_signature.first_day and fact."createdAt" < app_day_signature.end_day
    group by fact."createdAt"::date
    union all
    select decision."createdAt"::date, count(*), sum(decision.id)::numeric
    from ${app_schema}."DecisionLog" as decision
    where app_day_signature.input_kind = 'decision'
      and decision.scope = 'ops'
      and decision."createdAt" in ('-infinity', 'infinity')
      and decision."createdAt" >= app_day_signature.first_day and decision."createdAt" < app_day_signature.end_day
    group by decision."createdAt"::date
$$;

comment on function metrics_staging.app_day_signature(text, date, date) is
    'Row count and sum of ids of the app rows of one input kind (session, escalation, anomaly, decision) per UTC day of "createdAt" in [first_day, end_day), from index-only scans.';
