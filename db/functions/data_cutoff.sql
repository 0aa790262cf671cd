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

-- The ISO week of a day: its Monday.
create or replace function metrics.week_of(day date)
returns date
language sql
immutable strict parallel safe
as $$
    select day - (extract(isodow from day)::integer - 1)
$$;

comment on function metrics.week_of(date) is
    'The Monday of the ISO week (Monday to Sunday) holding day.';

-- The weeks of a weekly series: every Monday from the week of first_day to the week of the day
-- before the data cutoff (the last week may be under way).
create or replace function metrics.series_weeks(first_day date)
returns setof date
language sql
stable parallel safe
as $$
    select series.first_week + 7 * week_offset
    from (
        select metrics.week_of(first_day) as first_week, metrics.week_of(cutoff_day - 1) as last_week, cutoff_day
        from (select (metrics.data_cutoff() at time zone 'UTC')::date as cutoff_day) as cutoff
    ) as series
    -- (a CASE, not a WHERE: the planner may compute the bound before any filter, and infinite
    -- dates cannot be subtracted)
    cross join generate_series(0, case when isfinite(series.cutoff_day) and isfinite(series.first_week)
                                       then (series.last_week - series.first_week) / 7 end) as week_offset
$$;

comment on function metrics.series_weeks(date) is
    'The ISO weeks (their Mondays) of a weekly series: the week of first_day up to the week of the day before the data cutoff, which may be under way; none before the first refresh or for a NULL first_day.';

-- The window ends of a rolling series: every UTC day from first_window_end to the data cutoff's
-- day, the window end of the newest refresh's facts (that day alone when first_window_end is NULL
-- or later).
create or replace function metrics.series_window_ends(first_window_end date)
returns setof date
language sql
stable parallel safe
as $$
    select series.first_day + day_offset
    from (
        select least(coalesce(first_window_end, cutoff_day), cutoff_day) as first_day, cutoff_day
        from (select (metrics.data_cutoff() at time zone 'UTC')::date as cutoff_day) as cutoff
    ) as series
    cross join generate_series(0, case when isfinite(series.cutoff_day) and isfinite(series.first_day)
                                       then series.cutoff_day - series.first_day end) as day_offset
$$;

comment on function metrics.series_window_ends(date) is
    'The window ends (UTC days D, window [D - 7 days, D)) of a rolling series: first_window_end up to the data cutoff''s day, the windowEnd of the newest facts; that day alone when first_window_end is NULL or later; none before the first refresh.';
