-- The data cutoff: window_end of the newest refresh. The kept entity and day tables hold only app
-- rows created before it, and the views compare against it. -infinity before the first refresh
-- (the views are then empty).
-- Security definer, so that the daily views calling it work for analysts, who may read the
-- views but not this table; the search_path is pinned as for every definer function.
create or replace function metrics.data_cutoff()
returns timestamptz
language sql
stable parallel safe
security definer
set search_path = pg_catalog, pg_temp
as $$
    select coalesce(
        (select window_end from metrics.refresh_run order by refresh_run_id desc limit 1),
        '-infinity')
$$;

comment on function metrics.data_cutoff() is
    'window_end of the newest refresh: the analyst views show only app rows created before it (-infinity before the first refresh).';

-- The days of a daily series, written once: every UTC day from first_day to the day before the
-- data cutoff (none before the first refresh, or when first_day is NULL). Days are integer
-- offsets from a date: a series of timestamptz would step in the session's TimeZone.
create or replace function metrics.series_days(first_day date)
returns setof date
language sql
stable parallel safe
as $$
    select first_day + day_offset
    from generate_series(0, (metrics.data_cutoff() at time zone 'UTC')::date - 1 - first_day) as day_offset
    where metrics.data_cutoff() > '-infinity'
$$;

comment on function metrics.series_days(date) is
    'The UTC days of a daily series: first_day up to the day before the data cutoff (window_end of the newest refresh); no day before the first refresh or for a NULL first_day.';
