-- Grain: one row per ISO week (Monday, UTC) of detection, from the first anomaly's week to the
-- week of the day before the data cutoff (which may be under way).
-- Source: metrics_staging.anomaly_response_day.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.anomaly_response_weekly;

create view metrics.anomaly_response_weekly as
select
    week.detection_week,
    coalesce(sum(detected.total_anomalies), 0) as total_anomalies,
    coalesce(sum(detected.responded_within_24h), 0) as responded_within_24h,
    metrics.rate(coalesce(sum(detected.responded_within_24h), 0), coalesce(sum(detected.total_anomalies), 0)) as response_rate
from metrics.series_weeks((select min(detection_day) from metrics_staging.anomaly_response_day where isfinite(detection_day))) as week(detection_week)
left join metrics_staging.anomaly_response_day as detected
    on detected.detection_day >= week.detection_week
   and detected.detection_day < week.detection_week + 7
group by week.detection_week;

comment on view metrics.anomaly_response_weekly is
    'Anomaly response by week: one row per ISO week (Monday to Sunday, UTC) from the first detected anomaly to the week of the day before the newest refresh''s window_end. The same counts as metrics.anomaly_response_daily, summed by week.';
comment on column metrics.anomaly_response_weekly.detection_week is 'Monday (UTC) of the week the anomalies were first detected.';
comment on column metrics.anomaly_response_weekly.total_anomalies is 'Anomalies (shop, landing page, range end) first detected that week.';
comment on column metrics.anomaly_response_weekly.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection.';
comment on column metrics.anomaly_response_weekly.response_rate is 'responded_within_24h / total_anomalies rounded to 4 decimals; 0 when there were none (as in the facts).';
