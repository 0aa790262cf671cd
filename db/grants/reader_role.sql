-- The analysts' read-only role (script variable reader_role: metrics_reader unless
-- `metrics migrate --reader-role` names another): NOLOGIN, USAGE on schema metrics and SELECT
-- on each of its views and materialized views. Nothing else: not the app tables (they hold
-- customer names, message text and operator emails), not metrics.schema_journal or
-- metrics.refresh_run, not schema metrics_staging. An analyst's own login becomes a member:
-- GRANT metrics_reader TO alice;
--
-- Runs last in the repeatable group, which runs whole whenever any script runs, so every view
-- (re)created by the same `metrics migrate` is granted again. When the role is missing and the
-- migrating user may not create roles, it skips with a WARNING (printed by `metrics migrate`)
-- naming the two statements a DBA runs instead (also in docs/analysts.md).

create or replace function metrics.grant_reader_access(reader_role name)
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $function$
declare
    target pg_catalog.pg_roles;
    caller pg_catalog.pg_roles;
    view_name name;
    granted integer := 0;
begin
    select * into target from pg_catalog.pg_roles where rolname = reader_role;
    if not found then
        raise exception 'metrics.grant_reader_access: role % does not exist: create it first (CREATE ROLE % NOLOGIN)', reader_role, quote_ident(reader_role)
            using errcode = 'undefined_object';
    end if;
    -- the login that called, not this function's owner: security definer changes current_user only
    select * into caller from pg_catalog.pg_roles where rolname = session_user;
    if not (caller.rolsuper
            or caller.rolname = current_user -- the owner of schema metrics (the login that runs migrate)
            or pg_catalog.pg_has_role(caller.oid, target.oid, 'member with admin option')
            -- before PostgreSQL 16, CREATEROLE alone manages every role that is not a superuser
            or (caller.rolcreaterole and not target.rolsuper
                and pg_catalog.current_setting('server_version_num')::integer < 160000)) then
        raise exception 'metrics.grant_reader_access: % may not manage role %: ask a superuser, or a login with CREATEROLE or ADMIN on that role', session_user, reader_role
            using errcode = 'insufficient_privilege';
    end if;
    execute format('grant usage on schema metrics to %I', target.rolname);
    for view_name in
        select c.relname
        from pg_catalog.pg_class as c
        inner join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'metrics' and c.relkind in ('v', 'm')
        order by c.relname
    loop
        execute format('grant select on metrics.%I to %I', view_name, target.rolname);
        granted := granted + 1;
    end loop;
    return granted;
end
$function$;

-- Who may call it: the logins that may manage roles (CREATEROLE), so that a DBA who is no
-- superuser can run the statements of the warning below; the function itself checks that the
-- caller may manage the role it grants to, so EXECUTE gives no one access to the views (an
-- analyst has no EXECUTE, and could not name a role it does not manage). USAGE on schema
-- metrics lets them call it and read nothing: the views need SELECT. Logins given CREATEROLE
-- later get it from the owner of schema metrics (docs/runbook.md, "Least privilege"), or with
-- the next migrate that applies a script.
revoke all on function metrics.grant_reader_access(name) from public;

do $do$
declare
    manager name;
begin
    for manager in
        select rolname from pg_catalog.pg_roles
        where rolcreaterole and not rolsuper and rolname <> current_user
        order by rolname
    loop
        execute format('grant usage on schema metrics to %I', manager);
        execute format('grant execute on function metrics.grant_reader_access(name) to %I', manager);
    end loop;
end
$do$;

comment on function metrics.grant_reader_access(name) is
    'Grants a role USAGE on schema metrics and SELECT on every view and materialized view in it (nothing else); returns how many views. Security definer: the caller must be a superuser, the owner of schema metrics, or a login that may manage the role (ADMIN on it, or CREATEROLE before PostgreSQL 16). Run by `metrics migrate` for the reader role; a DBA runs it after creating the role by hand.';

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
