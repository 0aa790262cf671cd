-- Grain: at most one row. Source: metrics_staging.newest_fact() (metrics.activation.rolling7d).
-- Refreshed: reads the fact metrics.refresh wrote last (nightly), straight from "DashboardFact".

drop view if exists metrics.activation_current;

create view metrics.activation_current as
select
    fact.window_start,
    fact.window_end,
    metrics.parse_number(fact.value -> 'totalActiveShops')::integer as total_active_shops,
    metrics.parse_number(fact.value -> 'activatedShops')::integer as activated_shops,
    metrics.parse_number(fact.value -> 'activationRate') as activation_rate,
    fact.generated_at,
    fact.updated_at
from metrics_staging.newest_fact() as fact
where fact.fact_type = 'metrics.activation.rolling7d';

comment on view metrics.activation_current is 'The newest metrics.activation.rolling7d fact (greatest windowEnd), as the dashboard shows it: one row, or none before the first refresh.';
comment on column metrics.activation_current.window_start is 'Start of the 7-day window (inclusive, UTC midnight).';
comment on column metrics.activation_current.window_end is 'End of the window (exclusive, UTC midnight).';
comment on column metrics.activation_current.total_active_shops is 'Cohort size: shops whose first dashboard session lies in the window.';
comment on column metrics.activation_current.activated_shops is 'Cohort shops with an ops decision within 7 days of their first session, before window_end.';
comment on column metrics.activation_current.activation_rate is 'activated_shops / total_active_shops, 4 decimals; 0 for an empty cohort.';
comment on column metrics.activation_current.generated_at is 'When the refresh that wrote (or last updated) the fact ran.';
comment on column metrics.activation_current.updated_at is '"updatedAt" of the fact row.';
