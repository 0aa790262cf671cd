-- Grain: at most one row. Source: metrics_staging.newest_fact() (metrics.sla_resolution.rolling7d).
-- Refreshed: reads the fact metrics.refresh wrote last (nightly), straight from "DashboardFact".

drop view if exists metrics.sla_resolution_current;

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
from metrics_staging.newest_fact() as fact
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
