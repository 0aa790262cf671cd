-- Grain: at most one row. Source: metrics_staging.newest_fact() (metrics.anomaly_response.rolling7d).
-- Refreshed: reads the fact metrics.refresh wrote last (nightly), straight from "DashboardFact".

drop view if exists metrics.anomaly_response_current;

create view metrics.anomaly_response_current as
select
    fact.window_start,
    fact.window_end,
    metrics.parse_number(fact.value -> 'totalAnomalies')::integer as total_anomalies,
    metrics.parse_number(fact.value -> 'respondedWithin24h')::integer as responded_within_24h,
    metrics.parse_number(fact.value -> 'responseRate') as response_rate,
    fact.generated_at,
    fact.updated_at
from metrics_staging.newest_fact() as fact
where fact.fact_type = 'metrics.anomaly_response.rolling7d';

comment on view metrics.anomaly_response_current is 'The newest metrics.anomaly_response.rolling7d fact (greatest windowEnd), as the dashboard shows it: one row, or none before the first refresh.';
comment on column metrics.anomaly_response_current.window_start is 'Start of the 7-day window (inclusive, UTC midnight).';
comment on column metrics.anomaly_response_current.window_end is 'End of the window (exclusive, UTC midnight).';
comment on column metrics.anomaly_response_current.total_anomalies is 'Anomalies first detected in the window.';
comment on column metrics.anomaly_response_current.responded_within_24h is 'Of those, anomalies with a seo.assignment.* decision within 24 hours of detection, before window_end.';
comment on column metrics.anomaly_response_current.response_rate is 'responded_within_24h / total_anomalies, 4 decimals; 0 when there were none.';
comment on column metrics.anomaly_response_current.generated_at is 'When the refresh that wrote (or last updated) the fact ran.';
comment on column metrics.anomaly_response_current.updated_at is '"updatedAt" of the fact row.';
