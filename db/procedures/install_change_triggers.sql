-- CALL metrics_staging.install_change_triggers(): creates those of the package's statement
-- triggers on the app tables (metrics_staging.change_trigger(), db/functions/change_trigger.sql)
-- that are missing, and leaves the others as they are (enabled, disabled or ENABLE ALWAYS: a
-- DBA's choice). Called by db/triggers/changed_day.sql on every `metrics migrate` that applies the
-- repeatable group, and by a DBA after a trigger was dropped (docs/runbook.md, "Writes the
-- triggers did not see"). Needs the TRIGGER privilege on the app tables only when one is missing.

create or replace procedure metrics_staging.install_change_triggers()
language plpgsql
as $procedure$
declare
    wanted record;
begin
    for wanted in select * from metrics_staging.change_trigger() where state = 'missing' loop
        execute format('create trigger %I after %s on %s %s for each statement execute function metrics_staging.%I()',
            wanted.trigger_name, wanted.event, wanted.app_table, wanted.transition, wanted.function_name);
    end loop;
end
$procedure$;

comment on procedure metrics_staging.install_change_triggers() is
    'Creates the package''s statement triggers on the app tables that are missing (metrics_staging.change_trigger()); leaves existing ones, and their enabled state, alone.';
