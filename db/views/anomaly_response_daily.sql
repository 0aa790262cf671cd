-- Grain: one row per UTC detection day, from the first anomaly to the day before the data cutoff.
-- Source: metrics_staging.anomaly_response_day.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.anomaly_response_daily;

create view metrics.anomaly_response_daily as
select
    day.detection_day,
    coalesce(detected.total_anomalies, 0) as total_anomalies,
    coalesce(detected.responded_within_24h, 0) as responded_within_24h,
    metrics.rate(coalesce(detected.responded_within_24h, 0), coalesce(detected.total_anomalies, 0)) as response_rate
from metrics.series_days((select min(detection_day) from metrics_staging.anomaly_response_day where isfinite(detection_day))) as day(detection_day)
left join metrics_staging.anomaly_response_day as detected on detected.detection_day = day.detection_day;

comment on view metrics.anomaly_response_daily is
    'Anomaly response by day: one row per UTC day from the first detected anomaly to the day before the newest refresh''s window_end.';
comment on column metrics.anomaly_response_daily.detection_day is 'UTC day the anomalies were first detected.';
comment on column metrics.anomaly_response_daily.total_anomalies is 'Anomalies (shop, landing page, range end) first detected that day.';
comment on column metrics.anomaly_response_daily.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection.';
comment on column metrics.anomaly_response_daily.response_rate is 'responded_within_24h / total_anomalies rounded to 4 decimals; 0 when there were none (as in the facts).';
