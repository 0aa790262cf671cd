-- One row per completed `CALL metrics.refresh(as_of)`. A refresh inserts its row in the same
-- transaction as everything else it writes, so a failed refresh leaves no row, and the
-- newest row always describes what the materialized views currently show.

create table metrics.refresh_run (
    refresh_run_id bigint generated always as identity primary key,
    as_of timestamptz not null,
    window_start timestamptz not null,
    window_end timestamptz not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    data_quality_issues integer,
    refreshed_by text not null default current_user
);

comment on table metrics.refresh_run is
    'One row per successful metrics.refresh(as_of) call, newest last. The newest row''s window_end is the data cutoff of every materialized view.';
comment on column metrics.refresh_run.refresh_run_id is 'Serial number of the refresh; the highest is the one the views show.';
comment on column metrics.refresh_run.as_of is 'The instant the refresh ran as of (its argument; now() by default).';
comment on column metrics.refresh_run.window_start is 'Start of the 7-day window of the facts written: window_end minus 7 days (inclusive).';
comment on column metrics.refresh_run.window_end is 'as_of truncated to its UTC day (exclusive end of the window). No source row created at or after it was read.';
comment on column metrics.refresh_run.started_at is 'Wall-clock time the refresh started, after it obtained the refresh lock.';
comment on column metrics.refresh_run.finished_at is 'Wall-clock time the refresh finished writing (its transaction committed just after).';
comment on column metrics.refresh_run.data_quality_issues is 'Rows in metrics.data_quality_issue after this refresh: JSON elements skipped or degraded as invalid.';
comment on column metrics.refresh_run.refreshed_by is 'Database role that ran the refresh.';

-- The cutoff every materialized view applies to the app tables: they read only rows created
-- before it. -infinity before the first refresh (the views are then empty).
-- Security definer, so that the daily views calling it work for analysts, who may read the
-- views but not this table; the search_path is pinned as for every definer function.
create function metrics.data_cutoff()
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
    'window_end of the newest refresh: the materialized views read only app rows created before it (-infinity before the first refresh).';
