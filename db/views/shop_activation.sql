-- Grain: one row per shop that has opened the dashboard before the data cutoff.
-- Source: metrics_staging.shop_activation (kept by metrics.refresh).
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.shop_activation;

create view metrics.shop_activation as
-- read through a WITH query: information_schema then says the view is not updatable, so BI tools
-- offer no edit grid (analysts may only read it anyway)
with shop as (
    select * from metrics_staging.shop_activation
)

select
    shop.shop_domain,
    shop.first_session_at,
    (shop.first_session_at at time zone 'UTC')::date as cohort_day,
    shop.first_session_at + interval '168 hours' as activation_deadline_at,
    shop.first_decision_at,
    shop.first_decision_at is not null as is_activated,
    shop.first_session_at + interval '168 hours' <= (select metrics.data_cutoff()) as is_activation_window_complete
from shop;

comment on view metrics.shop_activation is
    'Activation per shop: one row per shop that has opened the dashboard. A shop is activated when it logs an operator (scope ops) decision within 7 days (168 h) of its first dashboard session. Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.shop_activation.shop_domain is 'Shop (Shopify domain).';
comment on column metrics.shop_activation.first_session_at is 'Earliest dashboard.session.opened of the shop: when it was onboarded.';
comment on column metrics.shop_activation.cohort_day is 'UTC date of first_session_at: the cohort the shop belongs to.';
comment on column metrics.shop_activation.activation_deadline_at is 'first_session_at + 7 days: decisions at or after it do not activate the shop.';
comment on column metrics.shop_activation.first_decision_at is 'Earliest ops decision of the shop in [first_session_at, activation_deadline_at); NULL when none (yet).';
comment on column metrics.shop_activation.is_activated is 'True when first_decision_at is set.';
comment on column metrics.shop_activation.is_activation_window_complete is 'True when the shop''s 7 days ended before the data cutoff, so is_activated can no longer change.';
