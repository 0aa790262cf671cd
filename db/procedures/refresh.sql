-- CALL metrics.refresh(as_of, full_rebuild): the nightly job. Re-applied by `metrics migrate`
-- whenever this file changes (repeatable script).
--
-- In one transaction (the caller's): waits for the refresh lock, records the run (which moves
-- the views' data cutoff to window_end), brings the parsed rows, the entities and the daily
-- aggregates up to date, then writes the three rolling facts for
-- [window_end - 7 days, window_end) into "DashboardFact", updating the row of the same
-- (factType, windowEnd) when one exists. Any error rolls all of it back; readers keep seeing
-- the previous contents until the commit (plain row changes, no table lock they would wait on;
-- a full refresh also rebuilds the indexes of the parsed-row tables, which only it reads).
--
-- Three ways to run (metrics.refresh_run.refresh_mode):
--   incremental  the app rows changed since the last refresh (the trigger log of migration
--                0008) and the rows created between the last cutoff and this one are
--                re-parsed, and only the shops, breaches, anomalies and days they touch are
--                derived again. The nightly cost follows the new data, not the history.
--   rebuild      as of a day before the last refresh: the changed rows are re-parsed as
--                above, then every entity and day is derived again from the parsed rows.
--   full         full_rebuild => true, the first refresh after migration 0008, and a refresh
--                that finds the unlogged parsed rows gone (metrics_staging.parse_state empty:
--                after a crash, on a promoted standby; migration 0010): every input row of the
--                app tables is parsed again, then everything is derived.
-- All three give the same views and facts (a property test checks it).

drop procedure if exists metrics.refresh(timestamptz);

-- Internal to metrics.refresh: the keys (shops, breaches, landing pages) of the parsed rows of
-- the app rows listed in pg_temp.changed_fact and pg_temp.changed_decision, added to
-- pg_temp.affected_*. Called before those rows are re-parsed and after, so that both the old
-- and the new version of a row mark what they touch.
create or replace procedure metrics_staging.record_affected_keys()
language plpgsql
as $procedure$
begin
    insert into pg_temp.affected_shop (shop_domain)
    select session.shop_domain
    from metrics_staging.session_input as session
    where session.fact_id in (select fact_id from pg_temp.changed_fact)
    union
    select decision.shop_domain
    from metrics_staging.decision_input as decision
    where decision.decision_id in (select decision_id from pg_temp.changed_decision)
    on conflict do nothing;

    insert into pg_temp.affected_breach (shop_domain, conversation_id)
    select breach.shop_domain, breach.conversation_id
    from metrics_staging.breach_input as breach
    where breach.fact_id in (select fact_id from pg_temp.changed_fact)
    union
    select decision.shop_domain, decision.conversation_id
    from metrics_staging.decision_input as decision
    where decision.decision_id in (select decision_id from pg_temp.changed_decision)
      and decision.conversation_id is not null
    on conflict do nothing;

    insert into pg_temp.affected_page (shop_domain, landing_page)
    select anomaly.shop_domain, anomaly.landing_page
    from metrics_staging.anomaly_input as anomaly
    where anomaly.fact_id in (select fact_id from pg_temp.changed_fact)
    union
    select decision.shop_domain, decision.landing_page
    from metrics_staging.decision_input as decision
    where decision.decision_id in (select decision_id from pg_temp.changed_decision)
      and decision.landing_page is not null
    on conflict do nothing;
end
$procedure$;

comment on procedure metrics_staging.record_affected_keys() is
    'Internal to metrics.refresh: adds the shops, breaches and landing pages that the parsed rows of the changed app rows touch to the refresh''s pg_temp.affected_* tables.';

-- Internal to metrics.refresh: replaces the parsed rows of the app rows listed in
-- pg_temp.changed_fact and pg_temp.changed_decision by what the parsing views give for them
-- now (nothing for a deleted row); with every_row => true, reloads the *_input tables and
-- parse_issue from every app row instead. Each row is parsed once, by one pass of its view.
-- A reload works like pg_restore: the input tables' indexes are dropped first and built again
-- from the loaded rows at the end, which is several times cheaper than inserting a million
-- rows into them one by one (breach_input on the benchmark fleet: 13 s through its two
-- indexes, 2.4 s without them plus 3.5 s to build them). Only the refresh reads these tables.
drop procedure if exists metrics_staging.parse_changed_rows();

create or replace procedure metrics_staging.parse_app_rows(every_row boolean)
language plpgsql
as $procedure$
declare
    -- the rows each statement parses, as a condition on the parsing view's id column
    fact_rows constant text := case when every_row then 'true' else 'fact_id in (select fact_id from pg_temp.changed_fact)' end;
    decision_rows constant text := case when every_row then 'true' else 'decision_id in (select decision_id from pg_temp.changed_decision)' end;
    drop_indexes text[];
    create_indexes text[];
    statement text;
begin
    if every_row then
        truncate metrics_staging.session_input, metrics_staging.decision_input,
            metrics_staging.breach_input, metrics_staging.anomaly_input;
        -- analysts read parse_issue through metrics.data_quality_issue: rows, not a truncate
        delete from metrics_staging.parse_issue;
        select
            array_agg(case
                when constraint_.conname is null then format('drop index %s', index.indexrelid::regclass)
                else format('alter table %s drop constraint %I', index.indrelid::regclass, constraint_.conname)
            end),
            array_agg(case
                when constraint_.conname is null then pg_get_indexdef(index.indexrelid)
                else format('alter table %s add constraint %I %s', index.indrelid::regclass, constraint_.conname, pg_get_constraintdef(constraint_.oid))
            end)
        into drop_indexes, create_indexes
        from pg_index as index
        left join pg_constraint as constraint_ on constraint_.conindid = index.indexrelid and constraint_.conrelid = index.indrelid
        where index.indrelid in ('metrics_staging.session_input'::regclass, 'metrics_staging.decision_input'::regclass,
            'metrics_staging.breach_input'::regclass, 'metrics_staging.anomaly_input'::regclass);
        foreach statement in array coalesce(drop_indexes, '{}') loop
            execute statement;
        end loop;
    else
        delete from metrics_staging.session_input where fact_id in (select fact_id from pg_temp.changed_fact);
        delete from metrics_staging.breach_input where fact_id in (select fact_id from pg_temp.changed_fact);
        delete from metrics_staging.anomaly_input where fact_id in (select fact_id from pg_temp.changed_fact);
        delete from metrics_staging.parse_issue
        where source_table = 'DashboardFact' and source_id in (select fact_id from pg_temp.changed_fact);
        delete from metrics_staging.decision_input where decision_id in (select decision_id from pg_temp.changed_decision);
        delete from metrics_staging.parse_issue
        where source_table = 'DecisionLog' and source_id in (select decision_id from pg_temp.changed_decision);
    end if;

    execute format($$
        insert into metrics_staging.session_input (fact_id, shop_domain, opened_at)
        select fact_id, shop_domain, opened_at
        from metrics_staging.session_opened
        where %s
    $$, fact_rows);

    execute format($$
        with decision as (
            select decision_id, shop_domain, action, decided_at, conversation_id, landing_page, issue_path, issue_reason
            from metrics_staging.ops_decision
            where %s
        ),

        issue as (
            insert into metrics_staging.parse_issue (source_table, source_id, json_path, source_kind, shop_domain, source_created_at, reason)
            select 'DecisionLog', decision_id, issue_path, action, shop_domain, decided_at, issue_reason
            from decision
            where issue_path is not null
        )

        insert into metrics_staging.decision_input (decision_id, shop_domain, action, decided_at, conversation_id, landing_page)
        select decision_id, shop_domain, action, decided_at, conversation_id, landing_page
        from decision
    $$, decision_rows);

    execute format($$
        with candidate as (
            select fact_id, shop_domain, fact_created_at, conversation_id, breached_at, issue_path, issue_reason
            from metrics_staging.escalation_breach
            where %s
        ),

        issue as (
            insert into metrics_staging.parse_issue (source_table, source_id, json_path, source_kind, shop_domain, source_created_at, reason)
            select 'DashboardFact', fact_id, issue_path, 'chatwoot.escalations', shop_domain, fact_created_at, issue_reason
            from candidate
            where issue_path is not null
        )

        insert into metrics_staging.breach_input (fact_id, conversation_id, shop_domain, fact_created_at, breached_at)
        select fact_id, conversation_id, shop_domain, fact_created_at, min(breached_at)
        from candidate
        where conversation_id is not null
          and breached_at is not null
        group by fact_id, conversation_id, shop_domain, fact_created_at
    $$, fact_rows);

    execute format($$
        with element as (
            select fact_id, shop_domain, fact_created_at, landing_page, range_end, is_anomaly, issue_path, issue_reason
            from metrics_staging.anomaly_element
            where %s
        ),

        issue as (
            insert into metrics_staging.parse_issue (source_table, source_id, json_path, source_kind, shop_domain, source_created_at, reason)
            select 'DashboardFact', fact_id, issue_path, 'ga.sessions.anomalies', shop_domain, fact_created_at, issue_reason
            from element
            where issue_path is not null
        )

        insert into metrics_staging.anomaly_input (fact_id, landing_page, shop_domain, fact_created_at, range_end)
        select distinct fact_id, landing_page, shop_domain, fact_created_at, range_end
        from element
        where is_anomaly
    $$, fact_rows);

    if every_row then
        foreach statement in array coalesce(create_indexes, '{}') loop
            execute statement;
        end loop;
        -- statistics for the derivations that follow (all rows changed)
        analyze metrics_staging.session_input, metrics_staging.decision_input,
            metrics_staging.breach_input, metrics_staging.anomaly_input;
    end if;
end
$procedure$;

comment on procedure metrics_staging.parse_app_rows(boolean) is
    'Internal to metrics.refresh: re-parses the app rows listed in the refresh''s pg_temp.changed_fact / changed_decision (every_row => false), or every app row (true: a reload, indexes built afterwards), into the metrics_staging *_input tables and parse_issue.';

-- Internal to metrics.refresh: derives again, as of the data cutoff, the entities whose keys
-- are in pg_temp.affected_* (every_entity => false) or every entity (true: the entity and day
-- tables are emptied first), and then the daily aggregates of every day those entities were or
-- are on. The entity rules (first session, 168 h, breach = earliest instant,
-- first action at or after it, detection, 24 h) are written here once; the analyst views only
-- add columns. The statements take their keys as text: the affected lists, or every parsed
-- row (a join with a list of every key would only cost a hash and mislead the planner).
drop procedure if exists metrics_staging.derive_affected_entities(timestamptz);

create or replace procedure metrics_staging.derive_affected_entities(cutoff timestamptz, every_entity boolean)
language plpgsql
as $procedure$
declare
    affected_shops constant text := case when every_entity
        then '(select distinct shop_domain from metrics_staging.session_input)'
        else 'pg_temp.affected_shop' end;
    affected_breaches constant text := case when every_entity then '' else
        'inner join pg_temp.affected_breach as affected
            on affected.shop_domain = candidate.shop_domain
           and affected.conversation_id = candidate.conversation_id' end;
    affected_pages constant text := case when every_entity then '' else
        'inner join pg_temp.affected_page as affected
            on affected.shop_domain = element.shop_domain
           and affected.landing_page = element.landing_page' end;
begin
    if every_entity then
        delete from metrics_staging.shop_activation;
        delete from metrics_staging.sla_breach;
        delete from metrics_staging.landing_page_anomaly;
        delete from metrics_staging.activation_day;
        delete from metrics_staging.sla_resolution_day;
        delete from metrics_staging.anomaly_response_day;
    end if;

    -- activation: one row per shop
    if not every_entity then
        with removed as (
            delete from metrics_staging.shop_activation as shop
            using pg_temp.affected_shop as affected
            where shop.shop_domain = affected.shop_domain
            returning shop.first_session_at
        )
        insert into pg_temp.affected_day (metric, day)
        select distinct 'activation', (first_session_at at time zone 'UTC')::date from removed
        on conflict do nothing;
    end if;

    execute format($$
        with first_session as (
            -- one index lookup per shop, however many sessions it has
            select
                affected.shop_domain,
                (
                    select min(session.opened_at)
                    from metrics_staging.session_input as session
                    where session.shop_domain = affected.shop_domain
                      and session.opened_at < $1
                ) as first_session_at
            from %s as affected
        ),

        added as (
            insert into metrics_staging.shop_activation (shop_domain, first_session_at, first_decision_at)
            select first_session.shop_domain, first_session.first_session_at, first_decision.decided_at
            from first_session
            left join lateral (
                select min(decision.decided_at) as decided_at
                from metrics_staging.decision_input as decision
                where decision.shop_domain = first_session.shop_domain
                  and decision.decided_at >= first_session.first_session_at
                  and decision.decided_at < least(first_session.first_session_at + interval '168 hours', $1)
            ) as first_decision on true
            where first_session.first_session_at is not null
            returning first_session_at
        )
        insert into pg_temp.affected_day (metric, day)
        select distinct 'activation', (first_session_at at time zone 'UTC')::date from added
        on conflict do nothing
    $$, affected_shops) using cutoff;

    -- SLA: one row per breach
    if not every_entity then
        with removed as (
            delete from metrics_staging.sla_breach as breach
            using pg_temp.affected_breach as affected
            where breach.shop_domain = affected.shop_domain
              and breach.conversation_id = affected.conversation_id
            returning breach.first_action_at
        )
        insert into pg_temp.affected_day (metric, day)
        select distinct 'sla', (first_action_at at time zone 'UTC')::date from removed where first_action_at is not null
        on conflict do nothing;
    end if;

    execute format($$
        with breach as (
            select candidate.shop_domain, candidate.conversation_id, min(candidate.breached_at) as breached_at
            from metrics_staging.breach_input as candidate
            %s
            where candidate.fact_created_at < $1
            group by candidate.shop_domain, candidate.conversation_id
        ),

        added as (
            insert into metrics_staging.sla_breach (shop_domain, conversation_id, breached_at, first_action_at, first_action)
            select breach.shop_domain, breach.conversation_id, breach.breached_at, first_action.decided_at, first_action.action
            from breach
            left join lateral (
                select decision.decided_at, decision.action
                from metrics_staging.decision_input as decision
                where decision.shop_domain = breach.shop_domain
                  and decision.conversation_id = breach.conversation_id
                  and decision.decided_at >= breach.breached_at
                  and decision.decided_at < $1
                order by decision.decided_at, decision.decision_id
                limit 1
            ) as first_action on true
            returning first_action_at
        )
        insert into pg_temp.affected_day (metric, day)
        select distinct 'sla', (first_action_at at time zone 'UTC')::date from added where first_action_at is not null
        on conflict do nothing
    $$, affected_breaches) using cutoff;

    -- anomalies: one row per (shop, landing page, range end)
    if not every_entity then
        with removed as (
            delete from metrics_staging.landing_page_anomaly as anomaly
            using pg_temp.affected_page as affected
            where anomaly.shop_domain = affected.shop_domain
              and anomaly.landing_page = affected.landing_page
            returning anomaly.detected_at
        )
        insert into pg_temp.affected_day (metric, day)
        select distinct 'anomaly', (detected_at at time zone 'UTC')::date from removed
        on conflict do nothing;
    end if;

    execute format($$
        with anomaly as (
            select element.shop_domain, element.landing_page, element.range_end, min(element.fact_created_at) as detected_at
            from metrics_staging.anomaly_input as element
            %s
            where element.fact_created_at < $1
            group by element.shop_domain, element.landing_page, element.range_end
        ),

        added as (
            insert into metrics_staging.landing_page_anomaly (shop_domain, landing_page, range_end, detected_at, responded_at)
            select anomaly.shop_domain, anomaly.landing_page, anomaly.range_end, anomaly.detected_at, response.decided_at
            from anomaly
            left join lateral (
                select min(decision.decided_at) as decided_at
                from metrics_staging.decision_input as decision
                where decision.shop_domain = anomaly.shop_domain
                  and decision.landing_page = anomaly.landing_page
                  and decision.decided_at >= anomaly.detected_at
                  and decision.decided_at < $1
            ) as response on true
            returning detected_at
        )
        insert into pg_temp.affected_day (metric, day)
        select distinct 'anomaly', (detected_at at time zone 'UTC')::date from added
        on conflict do nothing
    $$, affected_pages) using cutoff;

    -- the daily aggregates of the touched days, from the analyst views (their columns are the rules)
    delete from metrics_staging.activation_day
    where cohort_day in (select day from pg_temp.affected_day where metric = 'activation');
    insert into metrics_staging.activation_day (cohort_day, new_shops, activated_shops)
    select shop.cohort_day, count(*), count(*) filter (where shop.is_activated)
    from metrics.shop_activation as shop
    where shop.cohort_day in (select day from pg_temp.affected_day where metric = 'activation')
    group by shop.cohort_day;

    delete from metrics_staging.sla_resolution_day
    where resolution_day in (select day from pg_temp.affected_day where metric = 'sla');
    insert into metrics_staging.sla_resolution_day (resolution_day, sample_size, median_minutes, p90_minutes)
    select
        day.day,
        count(*),
        trim_scale(round(metrics.interpolated_percentile(array_agg(breach.resolution_minutes), 0.5), 2)),
        trim_scale(round(metrics.interpolated_percentile(array_agg(breach.resolution_minutes), 0.9), 2))
    from pg_temp.affected_day as day
    inner join metrics.sla_breach as breach
        on breach.first_action_at >= day.day::timestamp at time zone 'UTC'
       and breach.first_action_at < (day.day + 1)::timestamp at time zone 'UTC'
    where day.metric = 'sla'
    group by day.day;

    delete from metrics_staging.anomaly_response_day
    where detection_day in (select day from pg_temp.affected_day where metric = 'anomaly');
    insert into metrics_staging.anomaly_response_day (detection_day, total_anomalies, responded_within_24h)
    select day.day, count(*), count(*) filter (where anomaly.is_responded_within_24h)
    from pg_temp.affected_day as day
    inner join metrics.landing_page_anomaly as anomaly
        on anomaly.detected_at >= day.day::timestamp at time zone 'UTC'
       and anomaly.detected_at < (day.day + 1)::timestamp at time zone 'UTC'
    where day.metric = 'anomaly'
    group by day.day;
end
$procedure$;

comment on procedure metrics_staging.derive_affected_entities(timestamptz, boolean) is
    'Internal to metrics.refresh: derives again, as of cutoff, the entities listed in the refresh''s pg_temp.affected_* tables (every_entity => false) or every entity (true), and the daily aggregates of the days they touch.';

-- jit off: the parsing expressions are large once inlined, and compiling them took longer than
-- running them (seconds per statement on small data).
create or replace procedure metrics.refresh(as_of timestamptz default now(), full_rebuild boolean default false)
language plpgsql
set jit = off
as $procedure$
declare
    window_end constant timestamptz := date_trunc('day', as_of at time zone 'UTC') at time zone 'UTC';
    window_start constant timestamptz := window_end - interval '168 hours';
    previous_cutoff timestamptz;
    previous_mode text;
    mode text;
    hash_joins constant text := current_setting('enable_hashjoin');
    merge_joins constant text := current_setting('enable_mergejoin');
    sort_memory constant text := current_setting('work_mem');
    index_memory constant text := current_setting('maintenance_work_mem');
    run_id bigint;
    written_at timestamp(3);
begin
    if as_of is null or not isfinite(as_of) then
        raise exception 'metrics.refresh: as_of must be a finite instant, not %', coalesce(as_of::text, 'NULL')
            using errcode = 'invalid_parameter_value', hint = 'Call metrics.refresh() for now, or give an instant such as ''2025-10-12T02:00:00Z''.';
    end if;

    -- One refresh at a time (key shared with the runner, see runner/Database/AdvisoryLocks.cs).
    -- Waits up to the session's lock_timeout, then fails with SQLSTATE 55P03.
    perform pg_advisory_xact_lock(7235002);

    select run.window_end, run.refresh_mode
    into previous_cutoff, previous_mode
    from metrics.refresh_run as run
    order by run.refresh_run_id desc
    limit 1;

    mode := case
        when coalesce(full_rebuild, false) or previous_mode is null then 'full'
        when window_end < previous_cutoff then 'rebuild'
        else 'incremental'
    end;

    -- The first write: on a hot standby it fails here, as read-only (SQLSTATE 25006), before
    -- anything reads the unlogged tables below (which a standby refuses with another error).
    insert into metrics.refresh_run (as_of, window_start, window_end, started_at, refresh_mode)
    values (as_of, window_start, window_end, clock_timestamp(), mode)
    returning refresh_run_id into run_id;

    -- the unlogged parsed rows were emptied by a crash, or this is a promoted standby
    if mode <> 'full' and not exists (select from metrics_staging.parse_state) then
        mode := 'full';
        update metrics.refresh_run set refresh_mode = mode where refresh_run_id = run_id;
    end if;

    -- A full parse hashes and sorts millions of parsed elements: at least 256 MB per operation
    -- for this one transaction keeps them in memory (the stock 4 MB spills to temporary files).
    if pg_size_bytes(sort_memory) < pg_size_bytes('256MB') then
        perform set_config('work_mem', '256MB', true);
    end if;
    -- and the index builds of a full refresh sort in memory too (the stock 64 MB spills)
    if pg_size_bytes(index_memory) < pg_size_bytes('256MB') then
        perform set_config('maintenance_work_mem', '256MB', true);
    end if;

    -- the refresh's work lists, gone at commit (emptied when a caller refreshes twice in one
    -- transaction)
    create temporary table if not exists changed_fact (fact_id integer primary key) on commit drop;
    create temporary table if not exists changed_decision (decision_id integer primary key) on commit drop;
    create temporary table if not exists affected_shop (shop_domain text primary key) on commit drop;
    create temporary table if not exists affected_breach (shop_domain text, conversation_id bigint, primary key (shop_domain, conversation_id)) on commit drop;
    create temporary table if not exists affected_page (shop_domain text, landing_page text, primary key (shop_domain, landing_page)) on commit drop;
    create temporary table if not exists affected_day (metric text, day date, primary key (metric, day)) on commit drop;
    truncate pg_temp.changed_fact, pg_temp.changed_decision, pg_temp.affected_shop, pg_temp.affected_breach,
        pg_temp.affected_page, pg_temp.affected_day;

    -- 1. Which app rows to parse. The log is emptied before the app tables are read: a change
    -- committed in between is read now and stays logged, so it is parsed again next time
    -- (harmless); a change committed later is parsed next time. Nothing is lost.
    -- A full refresh parses every app row (no list).
    if mode = 'full' then
        delete from metrics_staging.fact_change;
        delete from metrics_staging.decision_change;
    else
        with taken as (delete from metrics_staging.fact_change returning fact_id)
        insert into pg_temp.changed_fact (fact_id)
        select distinct fact_id from taken;
        with taken as (delete from metrics_staging.decision_change returning decision_id)
        insert into pg_temp.changed_decision (decision_id)
        select distinct decision_id from taken;
    end if;
    if mode = 'incremental' and window_end > previous_cutoff then
        -- rows now before the cutoff that were not before the last one: their entities change too
        insert into pg_temp.changed_fact (fact_id)
        select id from ${app_schema}."DashboardFact"
        where "factType" in ('dashboard.session.opened', 'chatwoot.escalations', 'ga.sessions.anomalies')
          and "createdAt" >= previous_cutoff at time zone 'UTC'
          and "createdAt" < window_end at time zone 'UTC'
        on conflict do nothing;
        insert into pg_temp.changed_decision (decision_id)
        select id from ${app_schema}."DecisionLog"
        where scope = 'ops'
          and "createdAt" >= previous_cutoff at time zone 'UTC'
          and "createdAt" < window_end at time zone 'UTC'
        on conflict do nothing;
    end if;
    analyze pg_temp.changed_fact;
    analyze pg_temp.changed_decision;

    -- 2. Parse them, noting what their old and new versions touch. The incremental work lists
    -- are short next to the history: every row is looked up by index (nested loops), so the
    -- cost follows the changes, not the size of the tables (the planner would otherwise hash
    -- whole tables while they are small enough to look cheap).
    if mode = 'incremental' then
        perform set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true);
        call metrics_staging.record_affected_keys();
    end if;
    call metrics_staging.parse_app_rows(every_row => mode = 'full');
    if mode = 'full' then
        delete from metrics_staging.parse_state;
        insert into metrics_staging.parse_state (parsed_by_run) values (run_id);
    end if;
    if mode = 'incremental' then
        call metrics_staging.record_affected_keys();
        analyze pg_temp.affected_shop;
        analyze pg_temp.affected_breach;
        analyze pg_temp.affected_page;
    end if;

    -- 3. Derive the touched entities (every one unless incremental) and days as of the cutoff.
    call metrics_staging.derive_affected_entities(window_end, every_entity => mode <> 'incremental');

    perform set_config('enable_hashjoin', hash_joins, true), set_config('enable_mergejoin', merge_joins, true),
        set_config('work_mem', sort_memory, true), set_config('maintenance_work_mem', index_memory, true);

    -- 4. The facts, from the analyst views.
    written_at := date_trunc('milliseconds', clock_timestamp() at time zone 'UTC');

    with activation as (
        select
            count(*) as total_active_shops,
            count(*) filter (where is_activated) as activated_shops
        from metrics.shop_activation
        where first_session_at >= window_start
          and first_session_at < window_end
    ),

    resolution as (
        select
            count(*) as sample_size,
            metrics.interpolated_percentile(array_agg(resolution_minutes), 0.5) as median_minutes,
            metrics.interpolated_percentile(array_agg(resolution_minutes), 0.9) as p90_minutes,
            (select count(*) from metrics.sla_breach where is_open) as open_breaches
        from metrics.sla_breach
        where first_action_at >= window_start
          and first_action_at < window_end
    ),

    response as (
        select
            count(*) as total_anomalies,
            count(*) filter (where is_responded_within_24h) as responded_within_24h
        from metrics.landing_page_anomaly
        where detected_at >= window_start
          and detected_at < window_end
    ),

    -- what each metric adds to the fields every fact has (window, generatedAt)
    measure (fact_type, value, metadata) as (
        select
            'metrics.activation.rolling7d',
            jsonb_build_object(
                'totalActiveShops', total_active_shops,
                'activatedShops', activated_shops,
                'activationRate', metrics.rate(activated_shops, total_active_shops)),
            jsonb_build_object(
                'notes', 'Cohort: shops whose first dashboard session is in [windowStart, windowEnd). Activated: an ops decision within 7 days of that first session, before windowEnd.')
        from activation
        union all
        select
            'metrics.sla_resolution.rolling7d',
            jsonb_build_object(
                'sampleSize', sample_size,
                'medianMinutes', trim_scale(round(median_minutes, 2)),
                'p90Minutes', trim_scale(round(p90_minutes, 2))),
            jsonb_build_object(
                'sampleSize', sample_size,
                'openBreaches', open_breaches,
                'notes', 'Sample: breaches (shop, conversation) whose first ops action at or after the breach is in [windowStart, windowEnd); minutes from breach to that action, percentile_cont. openBreaches: breaches with no action before windowEnd.')
        from resolution
        union all
        select
            'metrics.anomaly_response.rolling7d',
            jsonb_build_object(
                'totalAnomalies', total_anomalies,
                'respondedWithin24h', responded_within_24h,
                'responseRate', metrics.rate(responded_within_24h, total_anomalies)),
            jsonb_build_object(
                'notes', 'Anomalies (shop, landing page, range end) first detected in [windowStart, windowEnd); responded: a seo.assignment.* ops decision for the page within 24 hours of detection, before windowEnd.')
        from response
    ),

    fact (fact_type, value, metadata) as (
        select
            measure.fact_type,
            jsonb_build_object('windowStart', metrics.format_instant(window_start), 'windowEnd', metrics.format_instant(window_end)) || measure.value,
            jsonb_build_object('generatedAt', metrics.format_instant(written_at at time zone 'UTC')) || measure.metadata
        from measure
    ),

    updated as (
        update ${app_schema}."DashboardFact" as existing
        set value = fact.value,
            metadata = fact.metadata,
            "updatedAt" = written_at
        from fact
        where existing."shopDomain" = '__aggregate__'
          and existing."factType" = fact.fact_type
          and existing.value ->> 'windowEnd' = fact.value ->> 'windowEnd'
        returning existing."factType"
    )

    insert into ${app_schema}."DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
    select '__aggregate__', fact.fact_type, 'ops', fact.value, fact.metadata, written_at, written_at
    from fact
    where fact.fact_type not in (select "factType" from updated);

    update metrics.refresh_run
    set finished_at = clock_timestamp(),
        data_quality_issues = (select count(*) from metrics.data_quality_issue),
        changed_rows = case
            when mode = 'full' then
                (select count(*) from ${app_schema}."DashboardFact"
                 where "factType" in ('dashboard.session.opened', 'chatwoot.escalations', 'ga.sessions.anomalies'))
                + (select count(*) from ${app_schema}."DecisionLog" where scope = 'ops')
            else (select count(*) from pg_temp.changed_fact) + (select count(*) from pg_temp.changed_decision)
        end
    where refresh_run_id = run_id;
end
$procedure$;

comment on procedure metrics.refresh(timestamptz, boolean) is
    'Brings the parsed rows, entities and daily aggregates up to date as of as_of''s UTC midnight (incrementally: only what changed since the last refresh; from scratch with full_rebuild => true) and writes the three rolling 7-day facts (metrics.activation / sla_resolution / anomaly_response .rolling7d) for the window ending there, in one transaction, one refresh at a time. Reads no app row created at or after that midnight. Rerunning for the same day updates the facts in place.';
