-- Grain: one row per anomaly, i.e. per (shop, landing page, range end), before the cutoff.
-- Source: metrics_staging.landing_page_anomaly (kept by metrics.refresh).
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.landing_page_anomaly;

create view metrics.landing_page_anomaly as
-- read through a WITH query: information_schema then says the view is not updatable, so BI tools
-- offer no edit grid (analysts may only read it anyway)
with anomaly as (
    select * from metrics_staging.landing_page_anomaly
)

select
    anomaly.shop_domain,
    anomaly.landing_page,
    anomaly.range_end,
    anomaly.detected_at,
    anomaly.responded_at,
    coalesce(anomaly.responded_at < anomaly.detected_at + interval '24 hours', false) as is_responded_within_24h
from anomaly;

comment on view metrics.landing_page_anomaly is
    'Anomaly response per anomaly: one row per (shop, landing page, GA range end) flagged in ga.sessions.anomalies (isAnomaly true, or absent with wowDelta <= -0.2). Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.landing_page_anomaly.shop_domain is 'Shop whose GA property showed the anomaly.';
comment on column metrics.landing_page_anomaly.landing_page is 'Landing page (path or URL) with the anomalous sessions.';
comment on column metrics.landing_page_anomaly.range_end is 'End date of the GA comparison range (metadata.range.end, else the UTC date of the row).';
comment on column metrics.landing_page_anomaly.detected_at is 'createdAt of the earliest GA row holding the anomaly.';
comment on column metrics.landing_page_anomaly.responded_at is 'Earliest seo.assignment.* ops decision for the same shop and landing page at or after detected_at; NULL when none.';
comment on column metrics.landing_page_anomaly.is_responded_within_24h is 'True when responded_at is less than 24 hours after detected_at.';
