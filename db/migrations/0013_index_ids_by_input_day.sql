-- metrics:no-transaction
-- Indexes from which each refresh reads the day signatures of the app tables (row count and sum
-- of ids per input kind and UTC day, migration 0012) by an index-only scan, without reading a
-- row's JSON. Built CONCURRENTLY, statement by statement, as in 0007: the app keeps writing.
-- Each index is dropped first in case an interrupted run left it INVALID.

-- ("factType", "createdAt") with the id: serves everything 0007's ("factType", "createdAt")
-- index served, which then goes.
drop index concurrently if exists ${app_schema}."metrics_DashboardFact_factType_createdAt_id_idx";
create index concurrently "metrics_DashboardFact_factType_createdAt_id_idx"
    on ${app_schema}."DashboardFact" ("factType", "createdAt") include (id);
drop index concurrently if exists ${app_schema}."metrics_DashboardFact_factType_createdAt_idx";

-- The ops decisions by "createdAt", with the id.
drop index concurrently if exists ${app_schema}."metrics_DecisionLog_ops_createdAt_id_idx";
create index concurrently "metrics_DecisionLog_ops_createdAt_id_idx"
    on ${app_schema}."DecisionLog" ("createdAt") include (id)
    where scope = 'ops';
