-- Grain: one row per ISO week (Monday, UTC) of first action, from the first resolution's week to
-- the week of the day before the data cutoff (which may be under way).
-- Source: metrics_staging.sla_resolution_week (the median and p90 of the week's breaches).
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.sla_resolution_weekly;

create view metrics.sla_resolution_weekly as
select
    week.resolution_week,
    coalesce(resolution.sample_size, 0) as sample_size,
    resolution.median_minutes,
    resolution.p90_minutes
from metrics.series_weeks((select min(resolution_week) from metrics_staging.sla_resolution_week where isfinite(resolution_week))) as week(resolution_week)
left join metrics_staging.sla_resolution_week as resolution on resolution.resolution_week = week.resolution_week;

comment on view metrics.sla_resolution_weekly is
    'SLA resolution by week: one row per ISO week (Monday to Sunday, UTC) from the first resolved breach to the week of the day before the newest refresh''s window_end, over the breaches whose first operator action fell in that week. The median and p90 are those of the week''s breaches, not of the daily medians.';
comment on column metrics.sla_resolution_weekly.resolution_week is 'Monday (UTC) of the week of the first operator action after the breach.';
comment on column metrics.sla_resolution_weekly.sample_size is 'Breaches first acted on that week.';
comment on column metrics.sla_resolution_weekly.median_minutes is 'Median minutes from breach to first action over the week''s breaches (interpolated, as percentile_cont), rounded to 2 decimals; NULL when sample_size is 0.';
comment on column metrics.sla_resolution_weekly.p90_minutes is '90th percentile of the same (interpolated), rounded to 2 decimals; NULL when sample_size is 0.';
