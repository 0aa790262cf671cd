-- CALL metrics.refresh(as_of, full_rebuild): the nightly job, and its internal steps.
--
-- The unit of work is the UTC day. The cutoff (window_end, as_of's UTC midnight) never splits a
-- day, so what a day's app rows contribute to each entity (its partials: metrics_staging
-- session_day, decision_day, breach_day, anomaly_day, and parse_issue) can be kept, and
-- replaced whole when the day changes. One path for every refresh, in the caller's transaction:
--   1. the days to parse: those the change log names (db/triggers/changed_day.sql), those whose
--      app rows no longer match the signature they were parsed from (a write the triggers did
--      not see: repaired, and reported in refresh_run.repaired_days), those the cutoff passed
--      since the last refresh, or every day (full_rebuild => true, the first refresh, or
--      partials emptied by a crash: refresh_mode 'full');
--   2. for each input kind and range of those days, one statement deletes their partials and one
--      parses them again; the keys (shops, breaches, landing pages) of the old and the new
--      partials are noted, with the keys of the days the cutoff moved over;
--   3. only the entities with a noted key are derived again, from their few partial rows before
--      the cutoff (a breach with one version per instant a window end saw), and, of the entities
--      that changed, the daily aggregates of the days they were or are on, the weekly SLA
--      aggregates of those days' weeks, and the rolling 7-day windows holding those days, with
--      the window ends the cutoff moved over (the rows of the *_weekly and *_rolling7d views);
--      a full refresh empties every derived table first;
--   4. the three rolling facts for [window_end - 7 days, window_end) are written into
--      "DashboardFact": our row of each (factType, windowEnd) (metrics_staging.written_fact) is
--      updated, or one is written (or taken over from an earlier writer) and becomes ours.
-- Days at or after the cutoff are parsed once the cutoff passes them. Readers keep seeing the
-- previous contents until the commit; any error rolls everything back. It runs only at READ
-- COMMITTED: under a snapshot taken before the refresh lock was granted, a refresh could not see
-- the one it waited for.

-- Step 2: adds the keys of the partials of input_kind on the days [first_day, end_day) to the
-- refresh's pg_temp.affected_shop / affected_breach / affected_page.
create or replace procedure metrics_staging.record_keys(input_kind text, first_day date, end_day date)
language plpgsql
as $procedure$
begin
    if input_kind = 'session' then
        insert into pg_temp.affected_shop (shop_domain)
        select distinct shop_domain from metrics_staging.session_day where day >= first_day and day < end_day
        on conflict do nothing;
    elsif input_kind = 'escalation' then
        insert into pg_temp.affected_breach (shop_domain, conversation_id)
        select distinct shop_domain, conversation_id from metrics_staging.breach_day where day >= first_day and day < end_day
        on conflict do nothing;
    elsif input_kind = 'anomaly' then
        insert into pg_temp.affected_page (shop_domain, landing_page)
        select distinct shop_domain, landing_page from metrics_staging.anomaly_day where day >= first_day and day < end_day
        on conflict do nothing;
    else
        insert into pg_temp.affected_shop (shop_domain)
        select distinct shop_domain from metrics_staging.decision_day where day >= first_day and day < end_day
        on conflict do nothing;
        insert into pg_temp.affected_breach (shop_domain, conversation_id)
        select distinct shop_domain, conversation_id from metrics_staging.decision_day
        where day >= first_day and day < end_day and conversation_id is not null
        on conflict do nothing;
        insert into pg_temp.affected_page (shop_domain, landing_page)
        select distinct shop_domain, landing_page from metrics_staging.decision_day
        where day >= first_day and day < end_day and landing_page is not null
        on conflict do nothing;
    end if;
end
$procedure$;

comment on procedure metrics_staging.record_keys(text, date, date) is
    'Internal to metrics.refresh: adds the shops, breaches and landing pages of the partials of one input kind on the UTC days [first_day, end_day) to the refresh''s pg_temp.affected_* tables.';

-- Step 2: deletes the partials, parse issues and day signatures of input_kind on the days
-- [first_day, end_day).
-- Every range of a refresh is forgotten before any is parsed again: a row moved from one day to
-- another must not meet its old parse.
create or replace procedure metrics_staging.forget_days(input_kind text, first_day date, end_day date)
language plpgsql
as $procedure$
begin
    delete from metrics_staging.parse_issue as issue
    where issue.input_kind = forget_days.input_kind
      and issue.source_created_at >= first_day::timestamp at time zone 'UTC'
      and issue.source_created_at < end_day::timestamp at time zone 'UTC';
    delete from metrics_staging.day_signature as signature
    where signature.input_kind = forget_days.input_kind
      and signature.day >= first_day and signature.day < end_day;
    if input_kind = 'session' then
        delete from metrics_staging.session_day where day >= first_day and day < end_day;
    elsif input_kind = 'escalation' then
        delete from metrics_staging.breach_day where day >= first_day and day < end_day;
    elsif input_kind = 'anomaly' then
        delete from metrics_staging.anomaly_day where day >= first_day and day < end_day;
    else
        delete from metrics_staging.decision_day where day >= first_day and day < end_day;
    end if;
end
$procedure$;

comment on procedure metrics_staging.forget_days(text, date, date) is
    'Internal to metrics.refresh: deletes the partials, parse issues and day signatures of one input kind on the UTC days [first_day, end_day).';

-- Step 2: inserts the day signatures, partials and parse issues of the app rows of input_kind
-- created in [first_day, end_day), and adds the number of app rows parsed to parsed_rows. The
-- signatures are read first: a row committed between the two statements is then in the partials
-- but not in the signature, and the next refresh finds its day changed and parses it again.
create or replace procedure metrics_staging.parse_days(input_kind text, first_day date, end_day date, inout parsed_rows bigint)
language plpgsql
as $procedure$
declare
    day_rows bigint;
begin
    with signature as (
        insert into metrics_staging.day_signature (input_kind, day, row_count, id_sum)
        select parse_days.input_kind, app.day, app.row_count, app.id_sum
        from metrics_staging.app_day_signature(parse_days.input_kind, first_day, end_day) as app
        returning row_count
    )
    select coalesce(sum(row_count), 0) into day_rows from signature;
    parsed_rows := parsed_rows + day_rows;

    if input_kind = 'session' then
        insert into metrics_staging.session_day (shop_domain, day, first_opened_at)
        select shop_domain, day, first_opened_at from metrics_staging.parse_sessions(first_day, end_day);
    elsif input_kind = 'escalation' then
        with parsed as (
            select * from metrics_staging.parse_escalations(first_day, end_day)
        ),

        issue as (
            insert into metrics_staging.parse_issue (source_table, source_id, json_path, source_kind, shop_domain, source_created_at, reason)
            select 'DashboardFact', fact_id, json_path, 'chatwoot.escalations', shop_domain, source_created_at, reason
            from parsed
            where json_path is not null
        )

        insert into metrics_staging.breach_day (shop_domain, conversation_id, day, breached_at)
        select shop_domain, conversation_id, day, min(breached_at)
        from parsed
        where breached_at is not null
        group by shop_domain, conversation_id, day;
    elsif input_kind = 'anomaly' then
        with parsed as (
            select * from metrics_staging.parse_anomalies(first_day, end_day)
        ),

        issue as (
            insert into metrics_staging.parse_issue (source_table, source_id, json_path, source_kind, shop_domain, source_created_at, reason)
            select 'DashboardFact', fact_id, json_path, 'ga.sessions.anomalies', shop_domain, source_created_at, reason
            from parsed
            where json_path is not null
        )

        insert into metrics_staging.anomaly_day (shop_domain, landing_page, range_end, day, detected_at)
        select shop_domain, landing_page, range_end, day, min(detected_at)
        from parsed
        where landing_page is not null
        group by shop_domain, landing_page, range_end, day;
    else
        with parsed as (
            select * from metrics_staging.parse_decisions(first_day, end_day)
        ),

        issue as (
            insert into metrics_staging.parse_issue (source_table, source_id, json_path, source_kind, shop_domain, source_created_at, reason)
            select 'DecisionLog', decision_id, json_path, action, shop_domain, decided_at, reason
            from parsed
            where json_path is not null
        )

        insert into metrics_staging.decision_day (day, decision_id, shop_domain, action, decided_at, conversation_id, landing_page)
        select day, decision_id, shop_domain, action, decided_at, conversation_id, landing_page
        from parsed;
    end if;
end
$procedure$;

comment on procedure metrics_staging.parse_days(text, date, date, bigint) is
    'Internal to metrics.refresh: inserts the day signatures, partials and parse issues of the app rows of one input kind created on the UTC days [first_day, end_day); adds the app rows parsed to parsed_rows.';

-- Step 3: derives again, as of cutoff, the entities whose keys are in pg_temp.affected_*, then
-- the daily aggregates of every day those entities were or are on. The entity rules (first
-- session, 168 h, breach = earliest instant, first action at or after it, detection, 24 h) are
-- written here once; the analyst views only add columns. Intervals are in hours, never days, so
-- that no result depends on the session's TimeZone.
create or replace procedure metrics_staging.derive_entities(cutoff timestamptz)
language plpgsql
as $procedure$
declare
    cutoff_day constant date := (cutoff at time zone 'UTC')::date;
begin
    -- activation: one row per shop
    with removed as (
        delete from metrics_staging.shop_activation as shop
        using pg_temp.affected_shop as affected
        where shop.shop_domain = affected.shop_domain
        returning shop.*
    )
    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'activation', -1, to_jsonb(removed), (removed.first_session_at at time zone 'UTC')::date from removed;

    with first_session as (
        -- the first session of the shop's earliest day: one index lookup, however long its history
        select affected.shop_domain, earliest.first_opened_at as first_session_at
        from pg_temp.affected_shop as affected
        cross join lateral (
            select partial.first_opened_at
            from metrics_staging.session_day as partial
            where partial.shop_domain = affected.shop_domain
              and partial.day < cutoff_day
            order by partial.day
            limit 1
        ) as earliest
    ),

    added as (
        insert into metrics_staging.shop_activation (shop_domain, first_session_at, first_decision_at)
        select first_session.shop_domain, first_session.first_session_at, first_decision.decided_at
        from first_session
        left join lateral (
            select min(decision.decided_at) as decided_at
            from metrics_staging.decision_day as decision
            where decision.shop_domain = first_session.shop_domain
              and decision.decided_at >= first_session.first_session_at
              and decision.decided_at < least(first_session.first_session_at + interval '168 hours', cutoff)
        ) as first_decision on true
        returning *
    )

    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'activation', 1, to_jsonb(added), (added.first_session_at at time zone 'UTC')::date from added;

    -- SLA: one row per breach, and one per instant a window end saw (sla_breach_version): the
    -- breach's instant is the earliest its escalation rows give so far, so a later row may move it
    -- earlier, and with it the first action.
    with removed as (
        delete from metrics_staging.sla_breach as breach
        using pg_temp.affected_breach as affected
        where breach.shop_domain = affected.shop_domain
          and breach.conversation_id = affected.conversation_id
        returning breach.*
    )
    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'sla', -1, to_jsonb(removed), (removed.first_action_at at time zone 'UTC')::date from removed;

    with removed as (
        delete from metrics_staging.sla_breach_version as version
        using pg_temp.affected_breach as affected
        where version.shop_domain = affected.shop_domain
          and version.conversation_id = affected.conversation_id
        returning version.*
    )
    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'sla', -1, to_jsonb(removed), (removed.first_action_at at time zone 'UTC')::date from removed;

    with partial as (
        select
            partial.shop_domain,
            partial.conversation_id,
            partial.day,
            partial.breached_at,
            min(partial.breached_at) over (
                partition by partial.shop_domain, partial.conversation_id order by partial.day
                rows between unbounded preceding and 1 preceding) as earlier_breached_at
        from pg_temp.affected_breach as affected
        inner join metrics_staging.breach_day as partial
            on partial.shop_domain = affected.shop_domain
           and partial.conversation_id = affected.conversation_id
        where partial.day < cutoff_day
    ),

    -- a day whose rows give an earlier instant than every day before starts a version, seen by
    -- the window ends from the next day on
    version as (
        select
            shop_domain,
            conversation_id,
            day + 1 as valid_from,
            lead(day) over (partition by shop_domain, conversation_id order by day) as valid_until,
            breached_at
        from partial
        where earlier_breached_at is null or breached_at < earlier_breached_at
    ),

    added as (
        insert into metrics_staging.sla_breach_version (shop_domain, conversation_id, valid_from, valid_until, breached_at, first_action_at, first_action)
        select version.shop_domain, version.conversation_id, version.valid_from, version.valid_until, version.breached_at,
            first_action.decided_at, first_action.action
        from version
        left join lateral (
            select decision.decided_at, decision.action
            from metrics_staging.decision_day as decision
            where decision.shop_domain = version.shop_domain
              and decision.conversation_id = version.conversation_id
              and decision.decided_at >= version.breached_at
              and decision.decided_at < cutoff
            order by decision.decided_at, decision.decision_id
            limit 1
        ) as first_action on true
        returning *
    ),

    added_change as (
        insert into pg_temp.entity_change (metric, change, entity, day)
        select 'sla', 1, to_jsonb(added), (added.first_action_at at time zone 'UTC')::date from added
    ),

    current_version as (
        insert into metrics_staging.sla_breach (shop_domain, conversation_id, breached_at, first_action_at, first_action)
        select shop_domain, conversation_id, breached_at, first_action_at, first_action
        from added
        where valid_until is null
        returning *
    )

    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'sla', 1, to_jsonb(current_version), (current_version.first_action_at at time zone 'UTC')::date from current_version;

    -- The breaches open at each window end (sla_open_breach_day, summed by the view): a breach is
    -- known from its first version's valid_from, and closed from the first window end after its
    -- first action (its versions' first actions only move earlier, so the earliest such window
    -- end of any version is the one). The removed breaches are taken out, the added ones put in:
    -- their versions are the 'sla' entity changes with a valid_from, day the first action's day.
    with span as (
        select
            change,
            min((entity ->> 'valid_from')::date) as known_from,
            min(greatest((entity ->> 'valid_from')::date, day + 1)) filter (where day is not null) as closed_from
        from pg_temp.entity_change
        where metric = 'sla' and entity ? 'valid_from'
        group by change, entity ->> 'shop_domain', entity ->> 'conversation_id'
    ),

    span_end (window_end, known_breaches, closed_breaches) as (
        select known_from, change, 0 from span
        union all
        select closed_from, 0, change from span where closed_from is not null
    )

    insert into metrics_staging.sla_open_breach_day as open_day (window_end, known_breaches, closed_breaches)
    select window_end, sum(known_breaches), sum(closed_breaches)
    from span_end
    group by window_end
    on conflict (window_end) do update
    set known_breaches = open_day.known_breaches + excluded.known_breaches,
        closed_breaches = open_day.closed_breaches + excluded.closed_breaches;

    -- anomalies: one row per (shop, landing page, range end)
    with removed as (
        delete from metrics_staging.landing_page_anomaly as anomaly
        using pg_temp.affected_page as affected
        where anomaly.shop_domain = affected.shop_domain
          and anomaly.landing_page = affected.landing_page
        returning anomaly.*
    )
    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'anomaly', -1, to_jsonb(removed), (removed.detected_at at time zone 'UTC')::date from removed;

    with anomaly as (
        select partial.shop_domain, partial.landing_page, partial.range_end, min(partial.detected_at) as detected_at
        from pg_temp.affected_page as affected
        inner join metrics_staging.anomaly_day as partial
            on partial.shop_domain = affected.shop_domain
           and partial.landing_page = affected.landing_page
        where partial.day < cutoff_day
        group by partial.shop_domain, partial.landing_page, partial.range_end
    ),

    added as (
        insert into metrics_staging.landing_page_anomaly (shop_domain, landing_page, range_end, detected_at, responded_at)
        select anomaly.shop_domain, anomaly.landing_page, anomaly.range_end, anomaly.detected_at, response.decided_at
        from anomaly
        left join lateral (
            select min(decision.decided_at) as decided_at
            from metrics_staging.decision_day as decision
            where decision.shop_domain = anomaly.shop_domain
              and decision.landing_page = anomaly.landing_page
              and decision.decided_at >= anomaly.detected_at
              and decision.decided_at < cutoff
        ) as response on true
        returning *
    )

    insert into pg_temp.entity_change (metric, change, entity, day)
    select 'anomaly', 1, to_jsonb(added), (added.detected_at at time zone 'UTC')::date from added;

    -- the days of the entities that changed (a row derived again as it was cancels out): their
    -- daily aggregates, and below their weeks and windows, are derived again
    insert into pg_temp.affected_day (metric, day)
    select distinct metric, day
    from (
        select metric, day
        from pg_temp.entity_change
        where day is not null
        group by metric, entity, day
        having sum(change) <> 0
    ) as changed
    on conflict do nothing;

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

comment on procedure metrics_staging.derive_entities(timestamptz) is
    'Internal to metrics.refresh: derives again, as of cutoff, the entities listed in the refresh''s pg_temp.affected_* tables from their partials (and the breaches'' versions and open-breach counts), and the daily aggregates of the days of the entities that changed.';

-- Step 3, continued: the weekly SLA aggregates of the weeks of the touched days, and the rolling
-- 7-day windows of each metric that hold a touched day (window ends D in day + 1 ... day + 7, up
-- to the cutoff's day) or that pg_temp.affected_window already lists (the window ends the cutoff
-- moved over, and the cutoff's own). A window holds what the fact of its window end D says: the
-- data before D, read from the entities known now (their first session, first action, detection
-- and response are the earliest, so "before D" is a filter; a breach is taken with the instant
-- its version valid at D had).
create or replace procedure metrics_staging.derive_windows(cutoff timestamptz)
language plpgsql
as $procedure$
declare
    cutoff_day constant date := (cutoff at time zone 'UTC')::date;
begin
    delete from metrics_staging.sla_resolution_week
    where resolution_week in (select metrics.week_of(day) from pg_temp.affected_day where metric = 'sla' and isfinite(day));
    insert into metrics_staging.sla_resolution_week (resolution_week, sample_size, median_minutes, p90_minutes)
    select
        week.resolution_week,
        count(*),
        trim_scale(round(metrics.interpolated_percentile(array_agg(breach.resolution_minutes), 0.5), 2)),
        trim_scale(round(metrics.interpolated_percentile(array_agg(breach.resolution_minutes), 0.9), 2))
    from (
        select distinct metrics.week_of(day) as resolution_week
        from pg_temp.affected_day
        where metric = 'sla' and isfinite(day)
    ) as week
    inner join metrics.sla_breach as breach
        on breach.first_action_at >= week.resolution_week::timestamp at time zone 'UTC'
       and breach.first_action_at < (week.resolution_week + 7)::timestamp at time zone 'UTC'
    group by week.resolution_week;

    insert into pg_temp.affected_window (metric, window_end)
    select day.metric, day.day + day_offset
    from pg_temp.affected_day as day
    cross join generate_series(1, 7) as day_offset
    where isfinite(day.day)
      and day.day + day_offset <= cutoff_day
    on conflict do nothing;

    delete from metrics_staging.activation_window
    where window_end in (select window_end from pg_temp.affected_window where metric = 'activation');
    insert into metrics_staging.activation_window (window_end, total_active_shops, activated_shops)
    select
        window_day.window_end,
        count(*),
        count(*) filter (where shop.first_decision_at < window_day.window_end::timestamp at time zone 'UTC')
    from pg_temp.affected_window as window_day
    inner join metrics_staging.shop_activation as shop
        on shop.first_session_at >= (window_day.window_end - 7)::timestamp at time zone 'UTC'
       and shop.first_session_at < window_day.window_end::timestamp at time zone 'UTC'
    where window_day.metric = 'activation'
    group by window_day.window_end;

    delete from metrics_staging.sla_resolution_window
    where window_end in (select window_end from pg_temp.affected_window where metric = 'sla');
    insert into metrics_staging.sla_resolution_window (window_end, sample_size, median_minutes, p90_minutes)
    select
        window_day.window_end,
        count(*),
        trim_scale(round(metrics.interpolated_percentile(array_agg(version.resolution_minutes), 0.5), 2)),
        trim_scale(round(metrics.interpolated_percentile(array_agg(version.resolution_minutes), 0.9), 2))
    from pg_temp.affected_window as window_day
    inner join metrics_staging.sla_breach_version as version
        on version.first_action_at >= (window_day.window_end - 7)::timestamp at time zone 'UTC'
       and version.first_action_at < window_day.window_end::timestamp at time zone 'UTC'
       and version.valid_from <= window_day.window_end
       and (version.valid_until is null or version.valid_until >= window_day.window_end)
    where window_day.metric = 'sla'
    group by window_day.window_end;

    delete from metrics_staging.anomaly_response_window
    where window_end in (select window_end from pg_temp.affected_window where metric = 'anomaly');
    insert into metrics_staging.anomaly_response_window (window_end, total_anomalies, responded_within_24h)
    select
        window_day.window_end,
        count(*),
        count(*) filter (where anomaly.is_responded_within_24h and anomaly.responded_at < window_day.window_end::timestamp at time zone 'UTC')
    from pg_temp.affected_window as window_day
    inner join metrics.landing_page_anomaly as anomaly
        on anomaly.detected_at >= (window_day.window_end - 7)::timestamp at time zone 'UTC'
       and anomaly.detected_at < window_day.window_end::timestamp at time zone 'UTC'
    where window_day.metric = 'anomaly'
    group by window_day.window_end;
end
$procedure$;

comment on procedure metrics_staging.derive_windows(timestamptz) is
    'Internal to metrics.refresh: derives again, as of cutoff, the weekly SLA aggregates of the weeks of the refresh''s pg_temp.affected_day, and the rolling 7-day windows holding those days or listed in pg_temp.affected_window.';

-- jit off: the parsing expressions are large once inlined, and compiling them took longer than
-- running them (seconds per statement on small data).
create or replace procedure metrics.refresh(as_of timestamptz default now(), full_rebuild boolean default false)
language plpgsql
set jit = off
as $procedure$
declare
    window_end constant timestamptz := date_trunc('day', as_of at time zone 'UTC') at time zone 'UTC';
    window_start constant timestamptz := window_end - interval '168 hours';
    cutoff_day constant date := (as_of at time zone 'UTC')::date;
    input_kinds constant text[] := array['session', 'escalation', 'anomaly', 'decision'];
    sort_memory constant text := current_setting('work_mem');
    previous_cutoff_day date;
    parsed_through date;
    horizon date;
    mode text := case when coalesce(full_rebuild, false) then 'full' else 'incremental' end;
    run_id bigint;
    parsed_rows bigint := 0;
    pending record;
    written record;
    written_at timestamp(3);
    missing_columns text;
    ledger_fact_id bigint;
    own_fact_id bigint;
    stage_started_at timestamptz := clock_timestamp();
begin
    if as_of is null or not isfinite(as_of) then
        raise exception 'metrics.refresh: as_of must be a finite instant, not %', coalesce(as_of::text, 'NULL')
            using errcode = 'invalid_parameter_value', hint = 'Call metrics.refresh() for now, or give an instant such as ''2025-10-12T02:00:00Z''.';
    end if;

    -- The transaction's snapshot is taken before the lock below is granted; at REPEATABLE READ or
    -- SERIALIZABLE it would stay blind to the refresh it waited for.
    if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'metrics.refresh runs only at READ COMMITTED isolation; this transaction is %', upper(current_setting('transaction_isolation'))
            using errcode = 'invalid_transaction_state',
                  detail = 'At that level the transaction''s snapshot is taken before the refresh lock is granted, so a refresh that waited for another could not see what the other wrote. Nothing was written.',
                  hint = 'Call it at READ COMMITTED: from psql, BEGIN ISOLATION LEVEL READ COMMITTED; CALL metrics.refresh(); COMMIT; as a pg_cron job, SET TRANSACTION ISOLATION LEVEL READ COMMITTED; CALL metrics.refresh(); or set default_transaction_isolation = ''read committed'' for the role that runs it. The metrics runner always runs it at READ COMMITTED.';
    end if;

    -- The app's columns the package reads: a migration of the app that dropped or renamed one
    -- stops the refresh here, by name, rather than deep inside a parse.
    select string_agg(format('%s.%I', wanted.app_table, wanted.column_name), ', ' order by wanted.app_table, wanted.column_name)
    into missing_columns
    from (values
        ('${app_schema}."DashboardFact"'::regclass, 'id'), ('${app_schema}."DashboardFact"'::regclass, 'shopDomain'),
        ('${app_schema}."DashboardFact"'::regclass, 'factType'), ('${app_schema}."DashboardFact"'::regclass, 'scope'),
        ('${app_schema}."DashboardFact"'::regclass, 'value'), ('${app_schema}."DashboardFact"'::regclass, 'metadata'),
        ('${app_schema}."DashboardFact"'::regclass, 'createdAt'), ('${app_schema}."DashboardFact"'::regclass, 'updatedAt'),
        ('${app_schema}."DecisionLog"'::regclass, 'id'), ('${app_schema}."DecisionLog"'::regclass, 'scope'),
        ('${app_schema}."DecisionLog"'::regclass, 'action'), ('${app_schema}."DecisionLog"'::regclass, 'shopDomain'),
        ('${app_schema}."DecisionLog"'::regclass, 'externalRef'), ('${app_schema}."DecisionLog"'::regclass, 'payload'),
        ('${app_schema}."DecisionLog"'::regclass, 'createdAt')
    ) as wanted(app_table, column_name)
    where not exists (
        select from pg_catalog.pg_attribute as attribute
        where attribute.attrelid = wanted.app_table
          and attribute.attname = wanted.column_name
          and attribute.attnum > 0
          and not attribute.attisdropped
    );
    if missing_columns is not null then
        raise exception 'metrics.refresh: the app table column(s) % no longer exist; the metrics package reads them', missing_columns
            using errcode = 'undefined_column',
                  detail = 'An app migration dropped or renamed a column the metrics are computed from. Nothing was written.',
                  hint = 'See docs/runbook.md, "The app changed its tables": restore the column, or upgrade the metrics package to a version that reads the new one.';
    end if;

    -- One refresh at a time (key shared with the runner, see runner/Database/AdvisoryLocks.cs).
    -- Waits up to the session's lock_timeout, then fails with SQLSTATE 55P03.
    perform pg_advisory_xact_lock(7235002);
    if clock_timestamp() - stage_started_at >= interval '1 second' then
        stage_started_at := metrics_staging.report_stage('waited for another refresh to finish', stage_started_at);
    end if;
    stage_started_at := clock_timestamp();

    select (run.window_end at time zone 'UTC')::date into previous_cutoff_day
    from metrics.refresh_run as run
    order by run.refresh_run_id desc
    limit 1;

    -- The first write: on a hot standby it fails here, as read-only (SQLSTATE 25006), before
    -- anything reads the unlogged partials (which a standby refuses with another error).
    insert into metrics.refresh_run (as_of, window_start, window_end, started_at, refresh_mode)
    values (as_of, window_start, window_end, clock_timestamp(), mode)
    returning refresh_run_id into run_id;

    -- no row: the first refresh, or the unlogged partials were emptied (a crash, a promoted standby);
    -- partials without day signatures were parsed by a refresh of a version before them (one that
    -- ran between migration 0012 and this procedure's installation): they cannot be checked
    select state.parsed_through into parsed_through from metrics_staging.parse_state as state;
    if not exists (select from metrics_staging.day_signature)
       and (exists (select from ${app_schema}."DashboardFact"
                    where "factType" in ('dashboard.session.opened', 'chatwoot.escalations', 'ga.sessions.anomalies')
                      and "createdAt" < parsed_through)
            or exists (select from ${app_schema}."DecisionLog" where scope = 'ops' and "createdAt" < parsed_through)) then
        parsed_through := null;
    end if;
    if parsed_through is null and mode <> 'full' then
        mode := 'full';
        update metrics.refresh_run set refresh_mode = mode where refresh_run_id = run_id;
    end if;

    -- A full parse hashes millions of parsed elements: at least 256 MB per operation for this
    -- transaction keeps them in memory (the stock 4 MB spills to temporary files).
    if pg_size_bytes(sort_memory) < pg_size_bytes('256MB') then
        perform set_config('work_mem', '256MB', true);
    end if;

    -- the refresh's work lists, gone at commit (emptied when a caller refreshes twice in one transaction)
    create temporary table if not exists parse_range (input_kind text, first_day date, end_day date) on commit drop;
    create temporary table if not exists affected_shop (shop_domain text primary key) on commit drop;
    create temporary table if not exists affected_breach (shop_domain text, conversation_id bigint, primary key (shop_domain, conversation_id)) on commit drop;
    create temporary table if not exists affected_page (shop_domain text, landing_page text, primary key (shop_domain, landing_page)) on commit drop;
    create temporary table if not exists affected_day (metric text, day date, primary key (metric, day)) on commit drop;
    create temporary table if not exists repaired_day (input_kind text, day date) on commit drop;
    create temporary table if not exists entity_change (metric text, change integer, entity jsonb, day date) on commit drop;
    create temporary table if not exists affected_window (metric text, window_end date, primary key (metric, window_end)) on commit drop;
    truncate pg_temp.parse_range, pg_temp.affected_shop, pg_temp.affected_breach, pg_temp.affected_page, pg_temp.affected_day,
        pg_temp.repaired_day, pg_temp.entity_change, pg_temp.affected_window;

    -- 1. The days to parse, per input kind, as ranges [first_day, end_day). The log is emptied
    -- before the app tables are read: a change committed in between is parsed now and stays
    -- logged, so it is parsed again next time (harmless); one committed later is parsed next time.
    if mode = 'full' then
        horizon := cutoff_day;
        delete from metrics_staging.changed_day;
        insert into pg_temp.parse_range (input_kind, first_day, end_day)
        select kind, '-infinity', 'infinity' from unnest(input_kinds) as kind;
        -- everything derived is derived again from the partials alone, whatever the tables held
        delete from metrics_staging.shop_activation;
        delete from metrics_staging.sla_breach;
        delete from metrics_staging.sla_breach_version;
        delete from metrics_staging.landing_page_anomaly;
        delete from metrics_staging.activation_day;
        delete from metrics_staging.sla_resolution_day;
        delete from metrics_staging.anomaly_response_day;
        delete from metrics_staging.sla_resolution_week;
        delete from metrics_staging.sla_open_breach_day;
        delete from metrics_staging.activation_window;
        delete from metrics_staging.sla_resolution_window;
        delete from metrics_staging.anomaly_response_window;
    else
        -- the partials hold every day before the horizon; later days wait for the cutoff to pass them
        horizon := greatest(parsed_through, cutoff_day);
        -- One statement, so one snapshot: the log is taken and the app tables' day signatures are
        -- read at the same instant, and a change the triggers logged is never taken for a repair.
        with taken as (
            delete from metrics_staging.changed_day returning input_kind, day
        ),

        mismatched as (
            select input_kind, day from metrics_staging.mismatched_day(parsed_through)
        ),

        -- ... that no trigger logged: changed behind the triggers' back
        repaired as (
            insert into pg_temp.repaired_day (input_kind, day)
            select mismatched.input_kind, mismatched.day
            from mismatched
            where not exists (
                select from taken
                where taken.input_kind = mismatched.input_kind and (taken.day = mismatched.day or taken.day is null)
            )
        ),

        changed as (
            -- a day of -infinity or infinity makes no range of days: its kind is parsed whole
            select input_kind, case when isfinite(day) then day end as day from taken where day is null or day < horizon
            union
            select input_kind, case when isfinite(day) then day end from mismatched
            union
            select kind, parsed_through + day_offset
            from unnest(input_kinds) as kind
            cross join generate_series(0, cutoff_day - parsed_through - 1) as day_offset
        ),

        -- consecutive days form one range; a TRUNCATE (NULL day) makes one range of every day
        island as (
            select input_kind, day, day - (row_number() over (partition by input_kind order by day))::integer as island
            from changed
            where day is not null
              and input_kind not in (select input_kind from changed where day is null)
        )

        insert into pg_temp.parse_range (input_kind, first_day, end_day)
        select distinct input_kind, '-infinity'::date, 'infinity'::date from changed where day is null
        union all
        select input_kind, min(day), max(day) + 1 from island group by input_kind, island;
    end if;
    stage_started_at := metrics_staging.report_stage(
        case when mode = 'full' then 'planned a full rebuild: every day of every input kind'
        else format('planned %s range(s) of days to parse', (select count(*) from pg_temp.parse_range))
             || coalesce(' (' || nullif((select count(*) from pg_temp.repaired_day), 0) || ' day(s) changed behind the triggers'' back)', '')
        end, stage_started_at);

    -- 2. Parse those days, noting the keys of their old partials (before the previous cutoff: the
    -- entities shown now) and of their new ones (before this cutoff), then the keys of the days
    -- the cutoff moved over (they count now, or no longer count). A full refresh noted every
    -- entity shown already.
    for pending in select * from pg_temp.parse_range loop
        if mode <> 'full' then
            call metrics_staging.record_keys(pending.input_kind, pending.first_day, least(pending.end_day, previous_cutoff_day));
        end if;
        call metrics_staging.forget_days(pending.input_kind, pending.first_day, pending.end_day);
    end loop;
    for pending in select * from pg_temp.parse_range loop
        call metrics_staging.parse_days(pending.input_kind, pending.first_day, least(pending.end_day, horizon), parsed_rows);
        call metrics_staging.record_keys(pending.input_kind, pending.first_day, least(pending.end_day, cutoff_day));
    end loop;
    -- (days from the old parsed_through on were parsed just now, and their keys noted)
    if mode <> 'full' and previous_cutoff_day <> cutoff_day then
        for pending in select kind from unnest(input_kinds) as kind loop
            call metrics_staging.record_keys(pending.kind, least(previous_cutoff_day, cutoff_day),
                least(greatest(previous_cutoff_day, cutoff_day), parsed_through));
        end loop;
    end if;
    delete from metrics_staging.parse_state;
    insert into metrics_staging.parse_state (parsed_through) values (horizon);
    analyze pg_temp.affected_shop, pg_temp.affected_breach, pg_temp.affected_page;
    stage_started_at := metrics_staging.report_stage(format('parsed %s app rows', to_char(parsed_rows, 'FM999,999,999,999,990')), stage_started_at);

    -- 3. Derive the entities with a noted key, and their days, as of the cutoff.
    call metrics_staging.derive_entities(window_end);
    stage_started_at := metrics_staging.report_stage(format('derived %s entities',
        to_char((select count(*) from pg_temp.affected_shop) + (select count(*) from pg_temp.affected_breach)
                + (select count(*) from pg_temp.affected_page), 'FM999,999,999,999,990')), stage_started_at);

    -- ... and the weeks and rolling windows they touch, with the window ends from the previous
    -- cutoff's day to this one's (their windows now end before the cutoff)
    insert into pg_temp.affected_window (metric, window_end)
    select metric, cutoff_day - day_offset
    from unnest(array['activation', 'sla', 'anomaly']) as metric
    cross join generate_series(0, greatest(cutoff_day - coalesce(previous_cutoff_day, cutoff_day) - 1, 0)) as day_offset;
    call metrics_staging.derive_windows(window_end);
    perform set_config('work_mem', sort_memory, true);
    stage_started_at := metrics_staging.report_stage(format('derived %s rolling window(s) and %s week(s)',
        (select count(*) from pg_temp.affected_window),
        (select count(distinct metrics.week_of(day)) from pg_temp.affected_day where metric = 'sla' and isfinite(day))), stage_started_at);

    -- 4. The facts, from the analyst views (the rolling views hold the same for every window end,
    -- derived from the windows' tables: tests/Refresh/RollingSeriesTests.cs compares them).
    written_at := date_trunc('milliseconds', clock_timestamp() at time zone 'UTC');

    for written in
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

    fact (fact_type, window_end, value, metadata) as (
        select
            measure.fact_type,
            window_end,
            jsonb_build_object('windowStart', metrics.format_instant(window_start), 'windowEnd', metrics.format_instant(window_end)) || measure.value,
            jsonb_build_object('generatedAt', metrics.format_instant(written_at at time zone 'UTC')) || measure.metadata
        from measure
    )

    select * from fact
    loop
        -- our row of this window (ledger_fact_id: the one noted; own_fact_id: null if it is gone)
        ledger_fact_id := null;
        own_fact_id := null;
        select ours.fact_id, existing.id into ledger_fact_id, own_fact_id
        from metrics_staging.written_fact as ours
        left join ${app_schema}."DashboardFact" as existing
            on existing.id = ours.fact_id
           and existing."shopDomain" = '__aggregate__'
           and existing."factType" = ours.fact_type
        where ours.fact_type = written.fact_type
          and ours.window_end = written.window_end;

        -- none yet: take over the first row of this window an earlier writer left, if any
        if own_fact_id is null then
            select min(existing.id) into own_fact_id
            from ${app_schema}."DashboardFact" as existing
            where existing."shopDomain" = '__aggregate__'
              and existing."factType" = written.fact_type
              and existing.value ->> 'windowEnd' = written.value ->> 'windowEnd';
        end if;

        -- (a row deleted by someone since it was found is written anew)
        if own_fact_id is not null then
            update ${app_schema}."DashboardFact"
            set value = written.value,
                metadata = written.metadata,
                "updatedAt" = written_at
            where id = own_fact_id;
            if not found then
                own_fact_id := null;
            end if;
        end if;
        if own_fact_id is null then
            insert into ${app_schema}."DashboardFact" ("shopDomain", "factType", scope, value, metadata, "createdAt", "updatedAt")
            values ('__aggregate__', written.fact_type, 'ops', written.value, written.metadata, written_at, written_at)
            returning id into own_fact_id;
        end if;

        -- a plain insert: a second refresh of this window that somehow ran beside this one fails
        -- on the primary key instead of leaving a second fact
        if ledger_fact_id is null then
            insert into metrics_staging.written_fact (fact_type, window_end, fact_id)
            values (written.fact_type, written.window_end, own_fact_id);
        elsif ledger_fact_id <> own_fact_id then
            update metrics_staging.written_fact as ours
            set fact_id = own_fact_id
            where ours.fact_type = written.fact_type
              and ours.window_end = written.window_end;
        end if;
    end loop;

    perform metrics_staging.report_stage('wrote 3 facts', stage_started_at);

    update metrics.refresh_run
    set finished_at = clock_timestamp(),
        data_quality_issues = (select count(*) from metrics.data_quality_issue),
        changed_rows = parsed_rows,
        repaired_days = case when mode = 'incremental' then (
            select coalesce(jsonb_agg(jsonb_build_object('inputKind', input_kind, 'day', day) order by day, input_kind), '[]')
            from pg_temp.repaired_day)
        end
    where refresh_run_id = run_id;
end
$procedure$;

comment on procedure metrics.refresh(timestamptz, boolean) is
    'Brings the partials, entities, daily and weekly aggregates and rolling windows up to date as of as_of''s UTC midnight (parsing only the UTC days changed since the last refresh or newly before that midnight; every day with full_rebuild => true) and writes the three rolling 7-day facts (metrics.activation / sla_resolution / anomaly_response .rolling7d) for the window ending there, in one transaction, one refresh at a time. Reads no app row created at or after that midnight. Rerunning for the same day updates the facts in place.';
