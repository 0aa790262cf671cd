-- CALL metrics.refresh(as_of): the nightly job. Re-applied by `metrics migrate` whenever
-- this file changes (repeatable script).
--
-- In one transaction (the caller's): waits for the refresh lock, records the run (which moves
-- the views' data cutoff to window_end), refreshes the materialized views CONCURRENTLY
-- (readers keep reading the previous contents until commit), then writes the three rolling
-- facts for [window_end - 7 days, window_end) into "DashboardFact", updating the row of the
-- same (factType, windowEnd) when one exists. Any error rolls all of it back.

create or replace procedure metrics.refresh(as_of timestamptz default now())
language plpgsql
as $procedure$
declare
    window_end constant timestamptz := date_trunc('day', as_of at time zone 'UTC') at time zone 'UTC';
    window_start constant timestamptz := window_end - interval '168 hours';
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

    insert into metrics.refresh_run (as_of, window_start, window_end, started_at)
    values (as_of, window_start, window_end, clock_timestamp())
    returning refresh_run_id into run_id;

    refresh materialized view concurrently metrics.shop_activation;
    refresh materialized view concurrently metrics.sla_breach;
    refresh materialized view concurrently metrics.landing_page_anomaly;
    refresh materialized view concurrently metrics.data_quality_issue;

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
        data_quality_issues = (select count(*) from metrics.data_quality_issue)
    where refresh_run_id = run_id;
end
$procedure$;

comment on procedure metrics.refresh(timestamptz) is
    'Refreshes the materialized views and writes the three rolling 7-day facts (metrics.activation / sla_resolution / anomaly_response .rolling7d) for the window ending at as_of''s UTC midnight, in one transaction, one refresh at a time. Reads no app row created at or after that midnight. Rerunning for the same day updates the facts in place.';
