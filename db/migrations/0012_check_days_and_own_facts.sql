-- No silent wrong numbers (docs/reliability.md, "Every way a write reaches the app tables").
-- Tables and data only; the procedure that uses them is db/procedures/refresh.sql.
--
-- 1. day_signature: what the partials were parsed from, per input kind and UTC day (row count and
--    sum of ids). Each refresh compares it with the app tables, read from an index (migration
--    0013), and parses again a day that differs: a write the statement triggers never saw
--    (session_replication_role = replica, DISABLE TRIGGER, pg_restore --disable-triggers, a
--    logical replication subscriber) is repaired by the next refresh, and reported.
-- 2. written_fact: the "DashboardFact" row this package owns for each (factType, windowEnd).
--    Its primary key makes a second fact of ours for one window impossible, whatever the
--    callers do; rows written by anyone else (the old Node job) are never ours to update.
-- 3. refresh_run.repaired_days: what a refresh repaired.
-- 4. metrics.backfill_chatwoot_changes() returned integer ids; the app's ids may be bigint.
--    Dropped here, re-created with bigint by db/functions/backfill_chatwoot.sql.
-- 5. The partials have no signatures yet: parse_state is emptied so that the next refresh
--    parses every day once (refresh_mode 'full', which it says).

-- 1. Day signatures ----------------------------------------------------------------------------

-- Unlogged, like the partials it describes: emptied with them after a crash.
create unlogged table metrics_staging.day_signature (
    input_kind text not null check (input_kind in ('session', 'escalation', 'anomaly', 'decision')),
    day date not null,
    row_count bigint not null,
    id_sum numeric not null,
    primary key (input_kind, day)
);

comment on table metrics_staging.day_signature is
    'What the partials of each input kind and UTC day were parsed from: one row per (input kind, day) with input rows, written by metrics.refresh just before it parses the day. A refresh parses again every day whose app rows no longer match (a write the triggers did not see).';
comment on column metrics_staging.day_signature.input_kind is 'session, escalation, anomaly (the three input "factType"s of "DashboardFact") or decision (ops "DecisionLog" rows).';
comment on column metrics_staging.day_signature.day is 'UTC day of "createdAt".';
comment on column metrics_staging.day_signature.row_count is 'App rows of that kind and day when the day was parsed.';
comment on column metrics_staging.day_signature.id_sum is 'Sum of their ids: a deleted row replaced by another on the same day changes it.';

-- 2. The facts this package owns --------------------------------------------------------------

create table metrics_staging.written_fact (
    fact_type text not null,
    window_end timestamptz not null,
    fact_id bigint not null unique,
    primary key (fact_type, window_end)
);

comment on table metrics_staging.written_fact is
    'The "DashboardFact" row metrics.refresh writes and updates for each (factType, windowEnd): one per window by the primary key. Other "__aggregate__" rows of the same type and window (the old job''s) are not ours: never updated, never read by the package.';
comment on column metrics_staging.written_fact.fact_type is 'metrics.activation.rolling7d, metrics.sla_resolution.rolling7d or metrics.anomaly_response.rolling7d.';
comment on column metrics_staging.written_fact.window_end is 'windowEnd of the fact (a UTC midnight).';
comment on column metrics_staging.written_fact.fact_id is '"DashboardFact".id of the row.';

-- Until now a refresh updated every "__aggregate__" row of its (factType, windowEnd), so the
-- first of them (lowest id) is the one it wrote or took over: it becomes ours; later duplicates
-- (the old job writing after us) are left to their writer. Only windowEnd texts in the format
-- the package writes count (a UTC midnight, milliseconds, Z).
insert into metrics_staging.written_fact (fact_type, window_end, fact_id)
select "factType", (value ->> 'windowEnd')::timestamptz, min(id)
from ${app_schema}."DashboardFact"
where "shopDomain" = '__aggregate__'
  and "factType" in ('metrics.activation.rolling7d', 'metrics.sla_resolution.rolling7d', 'metrics.anomaly_response.rolling7d')
  and value ->> 'windowEnd' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00\.000Z$'
group by "factType", value ->> 'windowEnd';

-- 3. What a refresh repaired --------------------------------------------------------------------

alter table metrics.refresh_run add column repaired_days jsonb;

comment on column metrics.refresh_run.repaired_days is
    'Days whose app rows changed without the triggers logging them (a write with triggers disabled or bypassed), found by comparing metrics_staging.day_signature with the app tables and parsed again: a JSON array of {"inputKind", "day"}; [] when none. NULL for full refreshes and before migration 0012.';

-- 4. Ids are bigint -------------------------------------------------------------------------------

drop function if exists metrics.backfill_chatwoot_changes();

-- 5. Parse every day once ------------------------------------------------------------------------

delete from metrics_staging.parse_state;
