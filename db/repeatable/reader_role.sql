-- metrics:rerun-with-migrations
-- The analysts' read-only role (script variable reader_role: metrics_reader unless
-- `metrics migrate --reader-role` names another): NOLOGIN, USAGE on schema metrics and SELECT
-- on each of its views and materialized views. Nothing else: not the app tables (they hold
-- customer names, message text and operator emails), not metrics.schema_journal or
-- metrics.refresh_run, not schema metrics_staging. An analyst's own login becomes a member:
-- GRANT metrics_reader TO alice;
--
-- Re-runs whenever any other script runs (header marker above), so a view added by a later
-- migration is granted in the same `metrics migrate`. When the role is missing and the
-- migrating user may not create roles, it skips with a WARNING (printed by `metrics migrate`)
-- naming the two statements a DBA runs instead (also in docs/analysts.md).

create or replace function metrics.grant_reader_access(reader_role name)
returns integer
language plpgsql
as $function$
declare
    view_name name;
    granted integer := 0;
begin
    execute format('grant usage on schema metrics to %I', reader_role);
    for view_name in
        select c.relname
        from pg_catalog.pg_class as c
        inner join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'metrics' and c.relkind in ('v', 'm')
        order by c.relname
    loop
        execute format('grant select on metrics.%I to %I', view_name, reader_role);
        granted := granted + 1;
    end loop;
    return granted;
end
$function$;

revoke all on function metrics.grant_reader_access(name) from public;

comment on function metrics.grant_reader_access(name) is
    'Grants a role USAGE on schema metrics and SELECT on every view and materialized view in it (nothing else); returns how many views. Run by `metrics migrate` for the reader role; a DBA runs it after creating the role by hand.';

do $do$
begin
    if to_regrole('${reader_role}') is null then
        if not (select rolcreaterole or rolsuper from pg_catalog.pg_roles where rolname = current_user) then
            raise warning 'role % does not exist and % may not create roles: analysts have no read-only role yet.', '${reader_role}', current_user
                using hint = format('A DBA runs: CREATE ROLE %s NOLOGIN; SELECT metrics.grant_reader_access(%L);',
                                    '${reader_role}', (parse_ident('${reader_role}'))[1]);
            return;
        end if;
        begin
            create role ${reader_role} nologin;
        exception when duplicate_object or unique_violation then
            null; -- created meanwhile by a migration of another database of this server
        end;
        comment on role ${reader_role} is 'Read-only access to the views of schema metrics (operator metrics), for analysts'' BI logins.';
    end if;
    perform metrics.grant_reader_access((select rolname from pg_catalog.pg_roles where oid = to_regrole('${reader_role}')));
end
$do$;
