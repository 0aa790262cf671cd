-- Grain: one row per window end D (a UTC day), window [D - 7 days, D), from the day after the first
-- detection day to the data cutoff's day: the value of the metrics.anomaly_response.rolling7d fact
-- with windowEnd D, as the data before D gave it.
-- Source: metrics_staging.anomaly_response_window.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.anomaly_response_rolling7d;

create view metrics.anomaly_response_rolling7d as
select
    day.window_end - 7 as window_start,
    day.window_end,
    coalesce(response.total_anomalies, 0) as total_anomalies,
    coalesce(response.responded_within_24h, 0) as responded_within_24h,
    metrics.rate(coalesce(response.responded_within_24h, 0), coalesce(response.total_anomalies, 0)) as response_rate
from metrics.series_window_ends((select min(detection_day) + 1 from metrics_staging.anomaly_response_day where isfinite(detection_day))) as day(window_end)
left join metrics_staging.anomaly_response_window as response on response.window_end = day.window_end;

comment on view metrics.anomaly_response_rolling7d is
    'Anomaly response over rolling 7-day windows: one row per window end D, from the day after the first detection to the newest refresh''s window_end, holding what a refresh as of D writes in the metrics.anomaly_response.rolling7d fact with windowEnd D, from the app rows created before D (anomalies detected in [D - 7 days, D), answered within 24 hours and before D).';
comment on column metrics.anomaly_response_rolling7d.window_start is 'First UTC day of the window (windowStart of the fact, at 00:00 UTC).';
comment on column metrics.anomaly_response_rolling7d.window_end is 'D: the UTC day after the window (windowEnd of the fact, at 00:00 UTC); the window is [window_start, window_end).';
comment on column metrics.anomaly_response_rolling7d.total_anomalies is 'Anomalies (shop, landing page, range end) first detected in the window (totalAnomalies).';
comment on column metrics.anomaly_response_rolling7d.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection and before window_end (respondedWithin24h).';
comment on column metrics.anomaly_response_rolling7d.response_rate is 'responded_within_24h / total_anomalies rounded to 4 decimals; 0 when there were none (responseRate).';
