-- The statement triggers that log changed days (db/triggers/changed_day.sql), and the state each
-- is in now. db/procedures/install_change_triggers.sql creates the missing ones; `metrics status`
-- reports any that does not fire for the app's writes, with its own exit code (docs/runbook.md,
-- "Writes the triggers did not see"). Whatever they miss, the next refresh finds by the day
-- signatures and parses again; a trigger that fires saves it that work and the report. (Rows a
-- logical replication subscriber applies fire no statement trigger in any state: PostgreSQL's
-- apply fires row triggers only. There the day check does the work.)

-- Grain: one row per trigger of the package.
create or replace function metrics_staging.change_trigger()
returns table (trigger_name text, app_table regclass, event text, transition text, function_name text, state text)
language sql
stable
as $$
    select
        wanted.trigger_name,
        wanted.app_table,
        wanted.event,
        wanted.transition,
        wanted.function_name,
        case
            when installed.tgenabled is null then 'missing'
            when installed.tgenabled = 'D' then 'disabled'
            when installed.tgenabled = 'R' then 'replica only'
            else 'enabled'
        end
    from (values
        ('metrics_fact_inserted', '${app_schema}."DashboardFact"'::regclass, 'insert', 'referencing new table as new_rows', 'log_changed_fact_days'),
        ('metrics_fact_updated', '${app_schema}."DashboardFact"'::regclass, 'update', 'referencing old table as old_rows new table as new_rows', 'log_changed_fact_days'),
        ('metrics_fact_deleted', '${app_schema}."DashboardFact"'::regclass, 'delete', 'referencing old table as old_rows', 'log_changed_fact_days'),
        ('metrics_fact_truncated', '${app_schema}."DashboardFact"'::regclass, 'truncate', '', 'log_changed_fact_days'),
        ('metrics_decision_inserted', '${app_schema}."DecisionLog"'::regclass, 'insert', 'referencing new table as new_rows', 'log_changed_decision_days'),
        ('metrics_decision_updated', '${app_schema}."DecisionLog"'::regclass, 'update', 'referencing old table as old_rows new table as new_rows', 'log_changed_decision_days'),
        ('metrics_decision_deleted', '${app_schema}."DecisionLog"'::regclass, 'delete', 'referencing old table as old_rows', 'log_changed_decision_days'),
        ('metrics_decision_truncated', '${app_schema}."DecisionLog"'::regclass, 'truncate', '', 'log_changed_decision_days')
    ) as wanted(trigger_name, app_table, event, transition, function_name)
    left join pg_catalog.pg_trigger as installed
        on installed.tgname = wanted.trigger_name
       and installed.tgrelid = wanted.app_table
$$;

comment on function metrics_staging.change_trigger() is
    'The package''s statement triggers on the app tables, with how to create each and its state: enabled (also ENABLE ALWAYS), disabled (ALTER TABLE ... DISABLE TRIGGER), replica only (ENABLE REPLICA: fires only under session_replication_role = replica) or missing.';
