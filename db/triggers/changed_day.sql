-- Change capture by UTC day: statement triggers on "DashboardFact" and "DecisionLog" append to
-- metrics_staging.changed_day one row per statement, input kind and UTC day of "createdAt"
-- touched (old and new rows alike), in the writer's own transaction. metrics.refresh parses
-- those days of those kinds again: a day is the unit of change (docs/architecture.md).
-- A TRUNCATE logs a NULL day: every day of the kinds in that table.
--
-- The triggers name no column (no UPDATE OF, no WHEN), and their functions' SQL is not
-- dependency-tracked, so nothing here stands in the way of the app's own ALTER TABLE.
-- Security definer: the app's role appends to the log without any grant on it.

create or replace function metrics_staging.log_changed_fact_days()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
begin
    if tg_op = 'TRUNCATE' then
        insert into metrics_staging.changed_day (input_kind, day)
        values ('session', null), ('escalation', null), ('anomaly', null);
        return null;
    end if;
    -- each statement reads only the transition tables its operation has
    if tg_op in ('INSERT', 'UPDATE') then
        insert into metrics_staging.changed_day (input_kind, day)
        select distinct metrics_staging.input_kind("factType"), "createdAt"::date
        from new_rows
        where metrics_staging.input_kind("factType") is not null;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into metrics_staging.changed_day (input_kind, day)
        select distinct metrics_staging.input_kind("factType"), "createdAt"::date
        from old_rows
        where metrics_staging.input_kind("factType") is not null;
    end if;
    return null;
end
$function$;

comment on function metrics_staging.log_changed_fact_days() is
    'Statement trigger on "DashboardFact": logs in metrics_staging.changed_day the input kinds and UTC days of "createdAt" the statement touched (a NULL day for TRUNCATE).';

create or replace function metrics_staging.log_changed_decision_days()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
begin
    if tg_op = 'TRUNCATE' then
        insert into metrics_staging.changed_day (input_kind, day) values ('decision', null);
        return null;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into metrics_staging.changed_day (input_kind, day)
        select distinct 'decision', "createdAt"::date from new_rows where scope = 'ops';
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into metrics_staging.changed_day (input_kind, day)
        select distinct 'decision', "createdAt"::date from old_rows where scope = 'ops';
    end if;
    return null;
end
$function$;

comment on function metrics_staging.log_changed_decision_days() is
    'Statement trigger on "DecisionLog": logs in metrics_staging.changed_day the UTC days of "createdAt" of the ops decisions the statement touched (a NULL day for TRUNCATE).';

-- Installed when missing, never replaced: a trigger calls its function by identity, so a changed
-- function body above takes effect at once, and re-running this file needs no TRIGGER privilege on
-- the app tables (only their first installation does). The procedure is
-- db/procedures/install_change_triggers.sql; a DBA calls it too after dropping one by mistake.
call metrics_staging.install_change_triggers();
