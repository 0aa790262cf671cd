-- The parsed rows become unlogged tables (issue 8: the refresh's write-ahead log held up the
-- app's commits). session_input, decision_input, breach_input and anomaly_input are a copy of
-- what the parsing views give for the app rows: only metrics.refresh reads or writes them, and
-- it can always parse them again from the app tables. Unlogged, they write no WAL: a full
-- refresh of the benchmark fleet (1,000 shops × 30 days) wrote 458 MB of WAL before and 40 MB
-- after, which every app commit in the meantime had to wait behind to flush.
--
-- What PostgreSQL does with unlogged tables, and why the metrics stay right:
-- - After a crash (not a clean shutdown) it empties them; a promoted standby and a restored
--   base backup start with them empty too. metrics_staging.parse_state, unlogged as well,
--   loses its row at the same moment, and the next refresh, finding no row, parses every app
--   row again (refresh_mode 'full') instead of trusting the empty tables.
-- - They are not replicated: a standby holds no parsed rows, and needs none. Analysts there
--   read the entities, the daily tables and parse_issue, which stay logged.
-- parse_issue stays logged for that reason: metrics.data_quality_issue reads it.

alter table metrics_staging.session_input set unlogged;
alter table metrics_staging.decision_input set unlogged;
alter table metrics_staging.breach_input set unlogged;
alter table metrics_staging.anomaly_input set unlogged;

create unlogged table metrics_staging.parse_state (
    parsed_by_run bigint not null
);

comment on table metrics_staging.parse_state is 'One row while the unlogged *_input tables hold every app row''s parsed rows: written by each full refresh, emptied by PostgreSQL with them after a crash or on a promoted standby. A refresh that finds it empty parses everything again.';
comment on column metrics_staging.parse_state.parsed_by_run is 'metrics.refresh_run.refresh_run_id of the full refresh that filled the *_input tables (or, right after migration 0010, of the newest refresh then).';

-- The tables keep their rows through ALTER TABLE: a database refreshed since migration 0008
-- needs no full refresh for this change.
insert into metrics_staging.parse_state (parsed_by_run)
select max(refresh_run_id)
from metrics.refresh_run
where refresh_mode is not null
having max(refresh_run_id) is not null;
