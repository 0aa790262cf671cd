-- Grain: one row per window end D (a UTC day), window [D - 7 days, D), from the day after the first
-- cohort day to the data cutoff's day: the value of the metrics.activation.rolling7d fact with
-- windowEnd D, as the data before D gave it.
-- Source: metrics_staging.activation_window.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.activation_rolling7d;

create view metrics.activation_rolling7d as
select
    day.window_end - 7 as window_start,
    day.window_end,
    coalesce(activation.total_active_shops, 0) as total_active_shops,
    coalesce(activation.activated_shops, 0) as activated_shops,
    metrics.rate(coalesce(activation.activated_shops, 0), coalesce(activation.total_active_shops, 0)) as activation_rate
from metrics.series_window_ends((select min(cohort_day) + 1 from metrics_staging.activation_day where isfinite(cohort_day))) as day(window_end)
left join metrics_staging.activation_window as activation on activation.window_end = day.window_end;

comment on view metrics.activation_rolling7d is
    'Activation over rolling 7-day windows: one row per window end D, from the day after the first onboarding to the newest refresh''s window_end, holding what a refresh as of D writes in the metrics.activation.rolling7d fact with windowEnd D, from the app rows created before D (the data before D: shops first seen in [D - 7 days, D), activated by a decision before D).';
comment on column metrics.activation_rolling7d.window_start is 'First UTC day of the window (windowStart of the fact, at 00:00 UTC).';
comment on column metrics.activation_rolling7d.window_end is 'D: the UTC day after the window (windowEnd of the fact, at 00:00 UTC); the window is [window_start, window_end).';
comment on column metrics.activation_rolling7d.total_active_shops is 'Shops whose first dashboard session is in the window (totalActiveShops).';
comment on column metrics.activation_rolling7d.activated_shops is 'Of those, shops with an ops decision within 7 days of their first session and before window_end (activatedShops).';
comment on column metrics.activation_rolling7d.activation_rate is 'activated_shops / total_active_shops rounded to 4 decimals; 0 when total_active_shops is 0 (activationRate).';
