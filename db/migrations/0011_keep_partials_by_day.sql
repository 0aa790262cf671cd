-- The refresh works by UTC day (docs/architecture.md, "The refresh"). Tables and data only:
-- every view, function, procedure and trigger now has one repeatable file under db/functions,
-- db/views, db/procedures and db/triggers, which `metrics migrate` applies after this script.
--
-- 1. The change log records (input kind, UTC day of "createdAt") per app statement instead of
--    row ids; the partial tables hold what each day contributes to each entity instead of one
--    parsed row per app row. The unit of work of a refresh is a day.
-- 2. The objects of the old design go: the triggers of 0008 (re-created by
--    db/triggers/changed_day.sql on the new log), the per-row log and parsed-row tables, the
--    parsing views that read the app tables (they pinned the app's columns, so the app could
--    not ALTER them) and the refresh's helper procedures. Views that read what this script
--    changes are dropped; db/views re-creates them in the same `metrics migrate`.
-- 3. The partial tables start empty and parse_state has no row, so the next refresh parses
--    every day once (refresh_mode 'full', which it says); until then the views keep showing
--    the entities of the last refresh.

drop trigger if exists metrics_fact_inserted on ${app_schema}."DashboardFact";
drop trigger if exists metrics_fact_updated on ${app_schema}."DashboardFact";
drop trigger if exists metrics_fact_deleted on ${app_schema}."DashboardFact";
drop trigger if exists metrics_fact_truncated on ${app_schema}."DashboardFact";
drop trigger if exists metrics_decision_inserted on ${app_schema}."DecisionLog";
drop trigger if exists metrics_decision_updated on ${app_schema}."DecisionLog";
drop trigger if exists metrics_decision_deleted on ${app_schema}."DecisionLog";
drop trigger if exists metrics_decision_truncated on ${app_schema}."DecisionLog";
drop function if exists metrics_staging.log_fact_change(), metrics_staging.log_decision_change(),
    metrics_staging.log_fact_truncate(), metrics_staging.log_decision_truncate();

drop procedure if exists metrics_staging.record_affected_keys(), metrics_staging.parse_app_rows(boolean),
    metrics_staging.derive_affected_entities(timestamptz, boolean);

drop view if exists metrics.activation_current, metrics.sla_resolution_current, metrics.anomaly_response_current,
    metrics.data_quality_issue;
drop view if exists metrics_staging.newest_fact, metrics_staging.session_opened, metrics_staging.ops_decision,
    metrics_staging.escalation_breach, metrics_staging.anomaly_element;
drop view if exists metrics_staging.input_fact;

drop table metrics_staging.fact_change, metrics_staging.decision_change, metrics_staging.parse_state,
    metrics_staging.session_input, metrics_staging.decision_input, metrics_staging.breach_input,
    metrics_staging.anomaly_input;

-- The scripts of db/repeatable are now named by folder (procedures/refresh.sql, ...).
delete from metrics.schema_journal
where script_kind = 'repeatable'
  and script_name in ('refresh_procedure.sql', 'backfill_chatwoot.sql', 'reader_role.sql');

-- 1. Change log ----------------------------------------------------------------------------------

-- Unlogged, like the partials: the app's writes append to it without WAL of ours, and a crash
-- that empties it empties parse_state too, after which the next refresh parses every day anyway.
create unlogged table metrics_staging.changed_day (
    input_kind text not null check (input_kind in ('session', 'escalation', 'anomaly', 'decision')),
    day date
);

comment on table metrics_staging.changed_day is
    'Change log: one row per app statement, input kind and UTC day of "createdAt" it inserted, updated or deleted rows on (old and new rows), appended by the triggers of db/triggers/changed_day.sql in the writer''s transaction. metrics.refresh consumes the rows it can see; one committed later stays for the next refresh.';
comment on column metrics_staging.changed_day.input_kind is 'session (dashboard.session.opened), escalation (chatwoot.escalations), anomaly (ga.sessions.anomalies) or decision (ops "DecisionLog").';
comment on column metrics_staging.changed_day.day is 'UTC day of "createdAt" of the changed rows; NULL for a TRUNCATE: every day.';

-- 2. Partials: what each UTC day of app rows contributes to each entity -------------------------
-- Unlogged, like the parsed rows before them (0010): only metrics.refresh reads them, they write
-- no WAL, and after a crash or on a promoted standby PostgreSQL empties them together with
-- parse_state, so the next refresh parses every day again.

create unlogged table metrics_staging.session_day (
    shop_domain text not null,
    day date not null,
    first_opened_at timestamptz not null,
    primary key (shop_domain, day)
);

create index session_day_day on metrics_staging.session_day (day);

comment on table metrics_staging.session_day is 'Partial of metrics.shop_activation: one row per shop and UTC day with a dashboard visit. Written only by metrics.refresh.';
comment on column metrics_staging.session_day.shop_domain is 'Shop visited.';
comment on column metrics_staging.session_day.day is 'UTC day of the visits ("createdAt").';
comment on column metrics_staging.session_day.first_opened_at is 'Earliest visit of the shop that day.';

create unlogged table metrics_staging.decision_day (
    day date not null,
    decision_id bigint not null,
    shop_domain text not null,
    action text not null,
    decided_at timestamptz not null,
    conversation_id bigint,
    landing_page text,
    primary key (day, decision_id)
);

create index decision_day_shop on metrics_staging.decision_day (shop_domain, decided_at);
create index decision_day_conversation on metrics_staging.decision_day (shop_domain, conversation_id, decided_at)
    where conversation_id is not null;
create index decision_day_landing_page on metrics_staging.decision_day (shop_domain, landing_page, decided_at)
    where landing_page is not null;

comment on table metrics_staging.decision_day is 'Partial of every entity: one row per operator decision (scope ops) of a real shop, kept by UTC day. Written only by metrics.refresh.';
comment on column metrics_staging.decision_day.day is 'UTC day of the decision ("createdAt").';
comment on column metrics_staging.decision_day.decision_id is '"DecisionLog".id.';
comment on column metrics_staging.decision_day.shop_domain is 'Shop the decision was made for.';
comment on column metrics_staging.decision_day.action is 'Action name.';
comment on column metrics_staging.decision_day.decided_at is '"createdAt" of the decision.';
comment on column metrics_staging.decision_day.conversation_id is 'Conversation the "externalRef" refers to (chatwoot:<digits>), else NULL.';
comment on column metrics_staging.decision_day.landing_page is 'payload.landingPage of seo.assignment.* decisions, else NULL.';

create unlogged table metrics_staging.breach_day (
    shop_domain text not null,
    conversation_id bigint not null,
    day date not null,
    breached_at timestamptz not null,
    primary key (shop_domain, conversation_id, day)
);

create index breach_day_day on metrics_staging.breach_day (day);

comment on table metrics_staging.breach_day is 'Partial of metrics.sla_breach: one row per breach (shop, conversation) and UTC day of the chatwoot.escalations rows that report it. Written only by metrics.refresh.';
comment on column metrics_staging.breach_day.shop_domain is 'Shop.';
comment on column metrics_staging.breach_day.conversation_id is 'Chatwoot conversation id.';
comment on column metrics_staging.breach_day.day is 'UTC day of the escalation rows ("createdAt").';
comment on column metrics_staging.breach_day.breached_at is 'Earliest valid breach instant those rows give.';

create unlogged table metrics_staging.anomaly_day (
    shop_domain text not null,
    landing_page text not null,
    range_end date not null,
    day date not null,
    detected_at timestamptz not null,
    primary key (shop_domain, landing_page, range_end, day)
);

create index anomaly_day_day on metrics_staging.anomaly_day (day);

comment on table metrics_staging.anomaly_day is 'Partial of metrics.landing_page_anomaly: one row per anomaly (shop, landing page, range end) and UTC day of the ga.sessions.anomalies rows that flag it. Written only by metrics.refresh.';
comment on column metrics_staging.anomaly_day.shop_domain is 'Shop.';
comment on column metrics_staging.anomaly_day.landing_page is 'Landing page flagged.';
comment on column metrics_staging.anomaly_day.range_end is 'GA range end (metadata.range.end, else the row''s UTC date).';
comment on column metrics_staging.anomaly_day.day is 'UTC day of the GA rows ("createdAt").';
comment on column metrics_staging.anomaly_day.detected_at is 'Earliest of those rows'' "createdAt".';

create unlogged table metrics_staging.parse_state (
    parsed_through date not null
);

comment on table metrics_staging.parse_state is 'One row while the unlogged partial tables are complete: they hold every UTC day before parsed_through. Emptied by PostgreSQL with them after a crash or on a promoted standby; a refresh that finds no row parses every day again (refresh_mode full).';
comment on column metrics_staging.parse_state.parsed_through is 'The partials hold the app rows of every UTC day before this one (the latest window_end refreshed).';

-- parse_issue stays logged (metrics.data_quality_issue reads it) and is kept by day too; app ids
-- may outgrow integer.
alter table metrics_staging.parse_issue
    alter column source_id type bigint,
    add column input_kind text generated always as (case
        when source_table = 'DecisionLog' then 'decision'
        when source_kind = 'chatwoot.escalations' then 'escalation'
        else 'anomaly'
    end) stored;

create index parse_issue_day on metrics_staging.parse_issue (input_kind, source_created_at);

comment on column metrics_staging.parse_issue.input_kind is 'Input kind of the row (escalation, anomaly or decision): with source_created_at, the day the refresh parses it in.';

-- 3. How refreshes run now ---------------------------------------------------------------------

comment on column metrics.refresh_run.refresh_mode is 'How the refresh ran: incremental (parsed the UTC days changed since the last refresh or newly before the cutoff, and derived again the entities and days they touch), full (parsed every day: --full, the first refresh, or one that found the unlogged partials emptied by a crash). rebuild appears only in refreshes before migration 0011. NULL for refreshes before migration 0008.';
comment on column metrics.refresh_run.changed_rows is 'App input rows the refresh parsed: the rows of the days it parsed (every row for a full refresh). NULL before migration 0008.';
