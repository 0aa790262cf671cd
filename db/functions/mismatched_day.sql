-- The days before through_day whose app rows are not what their partials were parsed from:
-- metrics_staging.day_signature compared with the app tables' signatures now
-- (metrics_staging.app_day_signature, an index-only scan per input kind). A day differs when a
-- row of it was inserted, deleted, or moved to or from it by a change of "createdAt" since it was
-- parsed. metrics.refresh parses those days again; the ones its change log does not name were
-- written behind the triggers' back (docs/reliability.md). An update that changes neither the
-- count nor the ids of a day (a value edited in place) is not seen here: only a trigger, or
-- `metrics refresh --full`, sees it.
--
-- Stable: called within the refresh statement that takes the change log, it reads the same
-- snapshot. `./build.sh bench` times it alone (the day check).

-- Grain: one row per (input kind, UTC day) that differs.
create or replace function metrics_staging.mismatched_day(through_day date)
returns table (input_kind text, day date)
language sql
stable
as $$
    select coalesce(app.input_kind, kept.input_kind), coalesce(app.day, kept.day)
    from (
        select kind as input_kind, signature.day, signature.row_count, signature.id_sum
        from unnest(array['session', 'escalation', 'anomaly', 'decision']) as kind
        cross join lateral metrics_staging.app_day_signature(kind, '-infinity', through_day) as signature
    ) as app
    full join (
        select kept.input_kind, kept.day, kept.row_count, kept.id_sum
        from metrics_staging.day_signature as kept
        where kept.day < through_day
    ) as kept
        on kept.input_kind = app.input_kind and kept.day = app.day
    where app.row_count is distinct from kept.row_count
       or app.id_sum is distinct from kept.id_sum
$$;

comment on function metrics_staging.mismatched_day(date) is
    'The (input kind, UTC day) pairs before through_day whose app rows no longer match metrics_staging.day_signature (rows inserted, deleted or moved since the day was parsed), from index-only scans of the app tables.';
