-- The weekly and rolling 7-day series (metrics.*_weekly, metrics.*_rolling7d): the tables behind
-- them, kept by metrics.refresh (db/procedures/refresh.sql) like the per-day tables of 0008.
--
-- 1. A rolling row for window end D holds what the fact with windowEnd D says: the data as it
--    was known before D. Shops and anomalies known now answer that exactly (their first session,
--    detection and first action are the earliest, so "before D" is a filter), but a breach's
--    instant is the earliest found so far: an escalation row written later may move it earlier,
--    and with it the first action. sla_breach_version keeps each instant a window end saw.
-- 2. The per-window and per-week results: activation_window, sla_resolution_window,
--    anomaly_response_window (one row per window end with a non-empty sample),
--    sla_resolution_week (medians need the breaches, not the daily medians), and
--    sla_open_breach_day, from which the views sum the breaches open at each window end.
-- 3. parse_state is emptied so that the next refresh derives every entity once (refresh_mode
--    'full', which it says) and fills these tables; no manual step.

-- Every lock taken here is on this package's own tables; a refresh running meanwhile holds
-- parse_state until it commits. Wait for it at most a minute, then fail (nothing stays applied).
set local lock_timeout = '1min';

-- 1. Breach versions ----------------------------------------------------------------------------

create table metrics_staging.sla_breach_version (
    shop_domain text not null,
    conversation_id bigint not null,
    valid_from date not null,
    valid_until date,
    breached_at timestamptz not null,
    first_action_at timestamptz,
    first_action text,
    resolution_minutes numeric generated always as (trim_scale(extract(epoch from first_action_at - breached_at) / 60)) stored,
    primary key (shop_domain, conversation_id, valid_from)
);

create index sla_breach_version_first_action_at on metrics_staging.sla_breach_version (first_action_at);

comment on table metrics_staging.sla_breach_version is
    'Each breach instant a window end saw: one row per (breach, instant) from the day the escalation rows first held that instant, the last row of a breach being metrics_staging.sla_breach. Written only by metrics.refresh.';
comment on column metrics_staging.sla_breach_version.shop_domain is 'Shop.';
comment on column metrics_staging.sla_breach_version.conversation_id is 'Chatwoot conversation id.';
comment on column metrics_staging.sla_breach_version.valid_from is 'First window end (UTC day) whose data hold this instant: the day after the escalation rows that gave it.';
comment on column metrics_staging.sla_breach_version.valid_until is 'Last window end with this instant (an earlier one was found the day after); NULL for the instant known now.';
comment on column metrics_staging.sla_breach_version.breached_at is 'The earliest breach instant in escalation rows before valid_from.';
comment on column metrics_staging.sla_breach_version.first_action_at is 'Earliest ops decision on the conversation at or after breached_at, before the cutoff.';
comment on column metrics_staging.sla_breach_version.first_action is 'Action of that decision.';
comment on column metrics_staging.sla_breach_version.resolution_minutes is 'Minutes from breached_at to first_action_at, exact.';

-- 2. Windows and weeks -------------------------------------------------------------------------

create table metrics_staging.activation_window (
    window_end date primary key,
    total_active_shops bigint not null,
    activated_shops bigint not null
);

comment on table metrics_staging.activation_window is 'Behind metrics.activation_rolling7d: one row per window end (UTC day D) whose window [D - 7 days, D) holds a first session. Written only by metrics.refresh.';
comment on column metrics_staging.activation_window.window_end is 'D: the window is [D - 7 days, D).';
comment on column metrics_staging.activation_window.total_active_shops is 'Shops whose first session is in the window.';
comment on column metrics_staging.activation_window.activated_shops is 'Of those, shops with their first ops decision (within 7 days) before D.';

create table metrics_staging.sla_resolution_window (
    window_end date primary key,
    sample_size bigint not null,
    median_minutes numeric not null,
    p90_minutes numeric not null
);

comment on table metrics_staging.sla_resolution_window is 'Behind metrics.sla_resolution_rolling7d: one row per window end (UTC day D) whose window [D - 7 days, D) holds a first action on a breach known before D. Written only by metrics.refresh.';
comment on column metrics_staging.sla_resolution_window.window_end is 'D: the window is [D - 7 days, D).';
comment on column metrics_staging.sla_resolution_window.sample_size is 'Breaches (as known before D) first acted on in the window.';
comment on column metrics_staging.sla_resolution_window.median_minutes is 'Their median resolution minutes, rounded to 2 decimals.';
comment on column metrics_staging.sla_resolution_window.p90_minutes is 'Their 90th percentile, rounded to 2 decimals.';

create table metrics_staging.anomaly_response_window (
    window_end date primary key,
    total_anomalies bigint not null,
    responded_within_24h bigint not null
);

comment on table metrics_staging.anomaly_response_window is 'Behind metrics.anomaly_response_rolling7d: one row per window end (UTC day D) whose window [D - 7 days, D) holds a detection. Written only by metrics.refresh.';
comment on column metrics_staging.anomaly_response_window.window_end is 'D: the window is [D - 7 days, D).';
comment on column metrics_staging.anomaly_response_window.total_anomalies is 'Anomalies detected in the window.';
comment on column metrics_staging.anomaly_response_window.responded_within_24h is 'Of those, anomalies answered within 24 hours and before D.';

create table metrics_staging.sla_open_breach_day (
    window_end date primary key,
    known_breaches bigint not null,
    closed_breaches bigint not null
);

comment on table metrics_staging.sla_open_breach_day is 'Behind the open_breaches of metrics.sla_resolution_rolling7d: per window end (UTC day D), how many breaches the data before D know first, and how many have their first action before D first; the breaches open at D are the sum of the differences up to D. Written only by metrics.refresh.';
comment on column metrics_staging.sla_open_breach_day.window_end is 'D.';
comment on column metrics_staging.sla_open_breach_day.known_breaches is 'Breaches first known at D (the day after their first escalation row).';
comment on column metrics_staging.sla_open_breach_day.closed_breaches is 'Breaches first closed at D (their first action, as known at D, is before D).';

create table metrics_staging.sla_resolution_week (
    resolution_week date primary key,
    sample_size bigint not null,
    median_minutes numeric not null,
    p90_minutes numeric not null
);

comment on table metrics_staging.sla_resolution_week is 'Behind metrics.sla_resolution_weekly: one row per ISO week (its Monday) with at least one first action. Written only by metrics.refresh.';
comment on column metrics_staging.sla_resolution_week.resolution_week is 'Monday (UTC) of the week of the first actions.';
comment on column metrics_staging.sla_resolution_week.sample_size is 'Breaches first acted on that week.';
comment on column metrics_staging.sla_resolution_week.median_minutes is 'Their median resolution minutes, rounded to 2 decimals.';
comment on column metrics_staging.sla_resolution_week.p90_minutes is 'Their 90th percentile, rounded to 2 decimals.';

-- 3. The next refresh fills them ------------------------------------------------------------------

delete from metrics_staging.parse_state;
