-- Grain: one row per window end D (a UTC day), window [D - 7 days, D), from the first window end
-- with a known breach to the data cutoff's day: the value of the metrics.sla_resolution.rolling7d
-- fact with windowEnd D, as the data before D gave it (each breach with the instant known then).
-- Source: metrics_staging.sla_resolution_window, metrics_staging.sla_open_breach_day.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.sla_resolution_rolling7d;

create view metrics.sla_resolution_rolling7d as
with window_day as (
    select day.window_end
    from metrics.series_window_ends((
        select least(
            (select min(resolution_day) + 1 from metrics_staging.sla_resolution_day where isfinite(resolution_day)),
            (select min(window_end) from metrics_staging.sla_open_breach_day where isfinite(window_end) and known_breaches > 0))
    )) as day(window_end)
),

-- breaches open at D: known before D, minus closed before D (every change up to D, however old)
open_breach as (
    select window_end, sum(sum(change)) over (order by window_end) as open_breaches
    from (
        select window_end, 0 as change from window_day
        union all
        select window_end, known_breaches - closed_breaches from metrics_staging.sla_open_breach_day
    ) as open_change
    group by window_end
)

select
    window_day.window_end - 7 as window_start,
    window_day.window_end,
    coalesce(resolution.sample_size, 0) as sample_size,
    resolution.median_minutes,
    resolution.p90_minutes,
    open_breach.open_breaches::bigint as open_breaches
from window_day
inner join open_breach on open_breach.window_end = window_day.window_end
left join metrics_staging.sla_resolution_window as resolution on resolution.window_end = window_day.window_end;

comment on view metrics.sla_resolution_rolling7d is
    'SLA resolution over rolling 7-day windows: one row per window end D, from the first window end with a known breach to the newest refresh''s window_end, holding what a refresh as of D writes in the metrics.sla_resolution.rolling7d fact with windowEnd D, from the app rows created before D (breaches, with the instant the data before D gave them, first acted on in [D - 7 days, D); breaches open at D).';
comment on column metrics.sla_resolution_rolling7d.window_start is 'First UTC day of the window (windowStart of the fact, at 00:00 UTC).';
comment on column metrics.sla_resolution_rolling7d.window_end is 'D: the UTC day after the window (windowEnd of the fact, at 00:00 UTC); the window is [window_start, window_end).';
comment on column metrics.sla_resolution_rolling7d.sample_size is 'Breaches first acted on in the window (sampleSize).';
comment on column metrics.sla_resolution_rolling7d.median_minutes is 'Median minutes from breach to first action (interpolated, as percentile_cont), rounded to 2 decimals; NULL when sample_size is 0 (medianMinutes).';
comment on column metrics.sla_resolution_rolling7d.p90_minutes is '90th percentile of the same, rounded to 2 decimals; NULL when sample_size is 0 (p90Minutes).';
comment on column metrics.sla_resolution_rolling7d.open_breaches is 'Breaches known before window_end with no operator action before it, however old (openBreaches of the fact''s metadata).';
