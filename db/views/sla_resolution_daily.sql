-- Grain: one row per UTC day of first action, from the first resolution to the day before the data cutoff.
-- Source: metrics_staging.sla_resolution_day.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.sla_resolution_daily;

create view metrics.sla_resolution_daily as
select
    day.resolution_day,
    coalesce(resolution.sample_size, 0) as sample_size,
    resolution.median_minutes,
    resolution.p90_minutes
from metrics.series_days((select min(resolution_day) from metrics_staging.sla_resolution_day where isfinite(resolution_day))) as day(resolution_day)
left join metrics_staging.sla_resolution_day as resolution on resolution.resolution_day = day.resolution_day;

comment on view metrics.sla_resolution_daily is
    'SLA resolution by day: one row per UTC day from the first resolved breach to the day before the newest refresh''s window_end, over the breaches whose first operator action fell on that day.';
comment on column metrics.sla_resolution_daily.resolution_day is 'UTC day of the first operator action after the breach.';
comment on column metrics.sla_resolution_daily.sample_size is 'Breaches first acted on that day.';
comment on column metrics.sla_resolution_daily.median_minutes is 'Median minutes from breach to first action (interpolated, as percentile_cont), rounded to 2 decimals; NULL when sample_size is 0.';
comment on column metrics.sla_resolution_daily.p90_minutes is '90th percentile of the same (interpolated), rounded to 2 decimals; NULL when sample_size is 0.';
