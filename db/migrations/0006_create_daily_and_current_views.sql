-- Views for BI tools: a daily series of each metric (one row per UTC day, days without
-- events included with zero counts) and the newest fact of each metric type as columns.
-- Days are generated as integer offsets from a date: generate_series over dates would step
-- through timestamptz in the session's TimeZone and could skip a day.
-- The daily series read the materialized views, so they show the data of the newest
-- refresh; the current views read the facts the refresh wrote into "DashboardFact".

-- Grain: one row per UTC cohort day, from the first cohort to the day before the data cutoff.
-- Source: metrics.shop_activation.
create view metrics.activation_daily as
with day as (
    select span.first_day + day_offset as cohort_day
    from (
        select
            (select min(cohort_day) from metrics.shop_activation) as first_day,
            (metrics.data_cutoff() at time zone 'UTC')::date as cutoff_day
        where metrics.data_cutoff() > '-infinity'
    ) as span
    cross join generate_series(0, span.cutoff_day - 1 - span.first_day) as day_offset
),

cohort as (
    select
        day.cohort_day,
        count(shop.shop_domain) as new_shops,
        count(shop.shop_domain) filter (where shop.is_activated) as activated_shops
    from day
    left join metrics.shop_activation as shop on shop.cohort_day = day.cohort_day
    group by day.cohort_day
)

select
    cohort_day,
    new_shops,
    activated_shops,
    metrics.rate(activated_shops, new_shops) as activation_rate,
    cohort_day + 8 <= (metrics.data_cutoff() at time zone 'UTC')::date as is_cohort_complete
from cohort;

comment on view metrics.activation_daily is
    'Activation by cohort day: one row per UTC day from the first onboarding to the day before the newest refresh''s window_end, with the shops first seen that day and how many of them activated within 7 days.';
comment on column metrics.activation_daily.cohort_day is 'UTC day of the shops'' first dashboard session.';
comment on column metrics.activation_daily.new_shops is 'Shops whose first dashboard session was on cohort_day.';
comment on column metrics.activation_daily.activated_shops is 'Of those, shops with an ops decision within 7 days of their first session (so far).';
comment on column metrics.activation_daily.activation_rate is 'activated_shops / new_shops rounded to 4 decimals; 0 when new_shops is 0 (as in the facts).';
comment on column metrics.activation_daily.is_cohort_complete is 'True when every shop of the day has had its full 7 days before the data cutoff; until then activated_shops may still grow.';

-- Grain: one row per UTC day of first action, from the first resolution to the day before the data cutoff.
-- Source: metrics.sla_breach.
create view metrics.sla_resolution_daily as
with day as (
    select span.first_day + day_offset as resolution_day
    from (
        select
            (select min((first_action_at at time zone 'UTC')::date) from metrics.sla_breach) as first_day,
            (metrics.data_cutoff() at time zone 'UTC')::date as cutoff_day
        where metrics.data_cutoff() > '-infinity'
    ) as span
    cross join generate_series(0, span.cutoff_day - 1 - span.first_day) as day_offset
)

select
    day.resolution_day,
    count(breach.resolution_minutes) as sample_size,
    trim_scale(round(metrics.interpolated_percentile(array_agg(breach.resolution_minutes), 0.5), 2)) as median_minutes,
    trim_scale(round(metrics.interpolated_percentile(array_agg(breach.resolution_minutes), 0.9), 2)) as p90_minutes
from day
left join metrics.sla_breach as breach on (breach.first_action_at at time zone 'UTC')::date = day.resolution_day
group by day.resolution_day;

comment on view metrics.sla_resolution_daily is
    'SLA resolution by day: one row per UTC day from the first resolved breach to the day before the newest refresh''s window_end, over the breaches whose first operator action fell on that day.';
comment on column metrics.sla_resolution_daily.resolution_day is 'UTC day of the first operator action after the breach.';
comment on column metrics.sla_resolution_daily.sample_size is 'Breaches first acted on that day.';
comment on column metrics.sla_resolution_daily.median_minutes is 'Median minutes from breach to first action (interpolated, as percentile_cont), rounded to 2 decimals; NULL when sample_size is 0.';
comment on column metrics.sla_resolution_daily.p90_minutes is '90th percentile of the same (interpolated), rounded to 2 decimals; NULL when sample_size is 0.';

-- Grain: one row per UTC detection day, from the first anomaly to the day before the data cutoff.
-- Source: metrics.landing_page_anomaly.
create view metrics.anomaly_response_daily as
with day as (
    select span.first_day + day_offset as detection_day
    from (
        select
            (select min((detected_at at time zone 'UTC')::date) from metrics.landing_page_anomaly) as first_day,
            (metrics.data_cutoff() at time zone 'UTC')::date as cutoff_day
        where metrics.data_cutoff() > '-infinity'
    ) as span
    cross join generate_series(0, span.cutoff_day - 1 - span.first_day) as day_offset
),

detected as (
    select
        day.detection_day,
        count(anomaly.shop_domain) as total_anomalies,
        count(anomaly.shop_domain) filter (where anomaly.is_responded_within_24h) as responded_within_24h
    from day
    left join metrics.landing_page_anomaly as anomaly on (anomaly.detected_at at time zone 'UTC')::date = day.detection_day
    group by day.detection_day
)

select
    detection_day,
    total_anomalies,
    responded_within_24h,
    metrics.rate(responded_within_24h, total_anomalies) as response_rate
from detected;

comment on view metrics.anomaly_response_daily is
    'Anomaly response by day: one row per UTC day from the first detected anomaly to the day before the newest refresh''s window_end.';
comment on column metrics.anomaly_response_daily.detection_day is 'UTC day the anomalies were first detected.';
comment on column metrics.anomaly_response_daily.total_anomalies is 'Anomalies (shop, landing page, range end) first detected that day.';
comment on column metrics.anomaly_response_daily.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection.';
comment on column metrics.anomaly_response_daily.response_rate is 'responded_within_24h / total_anomalies rounded to 4 decimals; 0 when there were none (as in the facts).';

-- The current views: the fact with the newest windowEnd of each type, as columns. They read
-- only rows the refresh wrote ("shopDomain" = '__aggregate__'), which hold no PII.

-- Grain: one row per metric fact type written so far. Internal: the one definition of "the
-- newest fact" for the current views and for `metrics status`.
create view metrics_staging.newest_fact as
select distinct on (fact."factType")
    fact."factType" as fact_type,
    fact.value,
    fact.metadata,
    metrics.parse_instant(fact.value -> 'windowStart') as window_start,
    metrics.parse_instant(fact.value -> 'windowEnd') as window_end,
    metrics.parse_instant(fact.metadata -> 'generatedAt') as generated_at,
    fact."updatedAt" at time zone 'UTC' as updated_at
from ${app_schema}."DashboardFact" as fact
where fact."shopDomain" = '__aggregate__'
  and fact."factType" in ('metrics.activation.rolling7d', 'metrics.sla_resolution.rolling7d', 'metrics.anomaly_response.rolling7d')
order by fact."factType", metrics.parse_instant(fact.value -> 'windowEnd') desc nulls last, fact.id desc;

comment on view metrics_staging.newest_fact is 'For each of the three metric fact types, the aggregate fact with the greatest windowEnd (ties: the latest row).';
comment on column metrics_staging.newest_fact.fact_type is '"factType": metrics.activation.rolling7d, metrics.sla_resolution.rolling7d or metrics.anomaly_response.rolling7d.';
comment on column metrics_staging.newest_fact.value is 'value of the fact (jsonb).';
comment on column metrics_staging.newest_fact.metadata is 'metadata of the fact (jsonb).';
comment on column metrics_staging.newest_fact.window_start is 'value.windowStart as timestamptz.';
comment on column metrics_staging.newest_fact.window_end is 'value.windowEnd as timestamptz.';
comment on column metrics_staging.newest_fact.generated_at is 'metadata.generatedAt as timestamptz.';
comment on column metrics_staging.newest_fact.updated_at is '"updatedAt" of the fact row, as timestamptz.';

-- Grain: at most one row. Source: metrics_staging.newest_fact (metrics.activation.rolling7d).
create view metrics.activation_current as
select
    fact.window_start,
    fact.window_end,
    metrics.parse_number(fact.value -> 'totalActiveShops')::integer as total_active_shops,
    metrics.parse_number(fact.value -> 'activatedShops')::integer as activated_shops,
    metrics.parse_number(fact.value -> 'activationRate') as activation_rate,
    fact.generated_at,
    fact.updated_at
from metrics_staging.newest_fact as fact
where fact.fact_type = 'metrics.activation.rolling7d';

comment on view metrics.activation_current is 'The newest metrics.activation.rolling7d fact (greatest windowEnd), as the dashboard shows it: one row, or none before the first refresh.';
comment on column metrics.activation_current.window_start is 'Start of the 7-day window (inclusive, UTC midnight).';
comment on column metrics.activation_current.window_end is 'End of the window (exclusive, UTC midnight).';
comment on column metrics.activation_current.total_active_shops is 'Cohort size: shops whose first dashboard session lies in the window.';
comment on column metrics.activation_current.activated_shops is 'Cohort shops with an ops decision within 7 days of their first session, before window_end.';
comment on column metrics.activation_current.activation_rate is 'activated_shops / total_active_shops, 4 decimals; 0 for an empty cohort.';
comment on column metrics.activation_current.generated_at is 'When the refresh that wrote (or last updated) the fact ran.';
comment on column metrics.activation_current.updated_at is '"updatedAt" of the fact row.';

-- Grain: at most one row. Source: metrics_staging.newest_fact (metrics.sla_resolution.rolling7d).
create view metrics.sla_resolution_current as
select
    fact.window_start,
    fact.window_end,
    metrics.parse_number(fact.value -> 'sampleSize')::integer as sample_size,
    metrics.parse_number(fact.value -> 'medianMinutes') as median_minutes,
    metrics.parse_number(fact.value -> 'p90Minutes') as p90_minutes,
    metrics.parse_number(fact.metadata -> 'openBreaches')::integer as open_breaches,
    fact.generated_at,
    fact.updated_at
from metrics_staging.newest_fact as fact
where fact.fact_type = 'metrics.sla_resolution.rolling7d';

comment on view metrics.sla_resolution_current is 'The newest metrics.sla_resolution.rolling7d fact (greatest windowEnd), as the dashboard shows it: one row, or none before the first refresh.';
comment on column metrics.sla_resolution_current.window_start is 'Start of the 7-day window (inclusive, UTC midnight).';
comment on column metrics.sla_resolution_current.window_end is 'End of the window (exclusive, UTC midnight).';
comment on column metrics.sla_resolution_current.sample_size is 'Breaches whose first operator action lies in the window.';
comment on column metrics.sla_resolution_current.median_minutes is 'Median minutes from breach to first action over the sample, 2 decimals; NULL for an empty sample.';
comment on column metrics.sla_resolution_current.p90_minutes is '90th percentile of the same, 2 decimals; NULL for an empty sample.';
comment on column metrics.sla_resolution_current.open_breaches is 'Breaches known before window_end with no operator action before window_end (any age).';
comment on column metrics.sla_resolution_current.generated_at is 'When the refresh that wrote (or last updated) the fact ran.';
comment on column metrics.sla_resolution_current.updated_at is '"updatedAt" of the fact row.';

-- Grain: at most one row. Source: metrics_staging.newest_fact (metrics.anomaly_response.rolling7d).
create view metrics.anomaly_response_current as
select
    fact.window_start,
    fact.window_end,
    metrics.parse_number(fact.value -> 'totalAnomalies')::integer as total_anomalies,
    metrics.parse_number(fact.value -> 'respondedWithin24h')::integer as responded_within_24h,
    metrics.parse_number(fact.value -> 'responseRate') as response_rate,
    fact.generated_at,
    fact.updated_at
from metrics_staging.newest_fact as fact
where fact.fact_type = 'metrics.anomaly_response.rolling7d';

comment on view metrics.anomaly_response_current is 'The newest metrics.anomaly_response.rolling7d fact (greatest windowEnd), as the dashboard shows it: one row, or none before the first refresh.';
comment on column metrics.anomaly_response_current.window_start is 'Start of the 7-day window (inclusive, UTC midnight).';
comment on column metrics.anomaly_response_current.window_end is 'End of the window (exclusive, UTC midnight).';
comment on column metrics.anomaly_response_current.total_anomalies is 'Anomalies first detected in the window.';
comment on column metrics.anomaly_response_current.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection, before window_end.';
comment on column metrics.anomaly_response_current.response_rate is 'responded_within_24h / total_anomalies, 4 decimals; 0 when there were none.';
comment on column metrics.anomaly_response_current.generated_at is 'When the refresh that wrote (or last updated) the fact ran.';
comment on column metrics.anomaly_response_current.updated_at is '"updatedAt" of the fact row.';
