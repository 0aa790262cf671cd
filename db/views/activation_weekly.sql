-- Grain: one row per ISO week (Monday, UTC) of first sessions, from the first cohort's week to the
-- week of the day before the data cutoff (which may be under way).
-- Source: metrics_staging.activation_day.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.activation_weekly;

create view metrics.activation_weekly as
select
    week.cohort_week,
    coalesce(sum(cohort.new_shops), 0) as new_shops,
    coalesce(sum(cohort.activated_shops), 0) as activated_shops,
    metrics.rate(coalesce(sum(cohort.activated_shops), 0), coalesce(sum(cohort.new_shops), 0)) as activation_rate,
    week.cohort_week + 14 <= (metrics.data_cutoff() at time zone 'UTC')::date as is_cohort_complete
from metrics.series_weeks((select min(cohort_day) from metrics_staging.activation_day where isfinite(cohort_day))) as week(cohort_week)
left join metrics_staging.activation_day as cohort
    on cohort.cohort_day >= week.cohort_week
   and cohort.cohort_day < week.cohort_week + 7
group by week.cohort_week;

comment on view metrics.activation_weekly is
    'Activation by cohort week: one row per ISO week (Monday to Sunday, UTC) from the first onboarding to the week of the day before the newest refresh''s window_end, with the shops first seen that week and how many of them activated within 7 days. The same counts as metrics.activation_daily, summed by week.';
comment on column metrics.activation_weekly.cohort_week is 'Monday (UTC) of the week of the shops'' first dashboard session.';
comment on column metrics.activation_weekly.new_shops is 'Shops whose first dashboard session was in that week.';
comment on column metrics.activation_weekly.activated_shops is 'Of those, shops with an ops decision within 7 days of their first session (so far).';
comment on column metrics.activation_weekly.activation_rate is 'activated_shops / new_shops rounded to 4 decimals; 0 when new_shops is 0 (as in the facts).';
comment on column metrics.activation_weekly.is_cohort_complete is 'True when the week is over and every shop of it has had its full 7 days before the data cutoff; until then new_shops and activated_shops may still grow.';
