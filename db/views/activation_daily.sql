-- Grain: one row per UTC cohort day, from the first (finite) cohort day to the day before the data cutoff.
-- Source: metrics_staging.activation_day.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.activation_daily;

create view metrics.activation_daily as
select
    day.cohort_day,
    coalesce(cohort.new_shops, 0) as new_shops,
    coalesce(cohort.activated_shops, 0) as activated_shops,
    metrics.rate(coalesce(cohort.activated_shops, 0), coalesce(cohort.new_shops, 0)) as activation_rate,
    day.cohort_day + 8 <= (metrics.data_cutoff() at time zone 'UTC')::date as is_cohort_complete
from metrics.series_days((select min(cohort_day) from metrics_staging.activation_day where isfinite(cohort_day))) as day(cohort_day)
left join metrics_staging.activation_day as cohort on cohort.cohort_day = day.cohort_day;

comment on view metrics.activation_daily is
    'Activation by cohort day: one row per UTC day from the first onboarding to the day before the newest refresh''s window_end, with the shops first seen that day and how many of them activated within 7 days.';
comment on column metrics.activation_daily.cohort_day is 'UTC day of the shops'' first dashboard session.';
comment on column metrics.activation_daily.new_shops is 'Shops whose first dashboard session was on cohort_day.';
comment on column metrics.activation_daily.activated_shops is 'Of those, shops with an ops decision within 7 days of their first session (so far).';
comment on column metrics.activation_daily.activation_rate is 'activated_shops / new_shops rounded to 4 decimals; 0 when new_shops is 0 (as in the facts).';
comment on column metrics.activation_daily.is_cohort_complete is 'True when every shop of the day has had its full 7 days before the data cutoff; until then activated_shops may still grow.';
