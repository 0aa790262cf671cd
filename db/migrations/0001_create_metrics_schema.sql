-- Creates the `metrics` schema that holds every object of this package.
-- Nothing in it is readable by PUBLIC; the analyst role gets explicit grants later.
-- (The runner also creates the schema when it first writes its journal; `if not exists`
-- keeps this script valid for a DBA who applies the SQL by hand.)

create schema if not exists metrics;

revoke all on schema metrics from public;

comment on schema metrics is
    'Operator metrics derived from the app tables "DashboardFact" and "DecisionLog": materialized views, daily series, data quality and the refresh procedure. Owned by the metrics package; managed by `metrics migrate`.';
