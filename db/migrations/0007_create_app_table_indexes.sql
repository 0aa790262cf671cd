-- metrics:no-transaction
-- Indexes on the app tables for the metrics' queries (SPEC.md allows the package to add its
-- own indexes; it never changes the app's columns or rows). Built CONCURRENTLY so the app
-- keeps writing while they build, which cannot run inside a transaction: this script runs
-- statement by statement. Each index is dropped first in case an earlier, interrupted run
-- left it INVALID (a failed CONCURRENTLY build does); this script only re-runs when it was
-- not journaled, so nothing valid of ours is lost.

-- Staging views select each input kind by "factType" and the data cutoff by "createdAt";
-- the app's own ("shopDomain", "factType") index cannot serve a "factType"-only lookup.
drop index concurrently if exists ${app_schema}."metrics_DashboardFact_factType_createdAt_idx";
create index concurrently "metrics_DashboardFact_factType_createdAt_idx"
    on ${app_schema}."DashboardFact" ("factType", "createdAt");

-- The refresh finds the aggregate fact to update by (factType, windowEnd), and the current
-- views read the newest one.
drop index concurrently if exists ${app_schema}."metrics_DashboardFact_aggregate_windowEnd_idx";
create index concurrently "metrics_DashboardFact_aggregate_windowEnd_idx"
    on ${app_schema}."DashboardFact" ("factType", (value ->> 'windowEnd'))
    where "shopDomain" = '__aggregate__';

-- Activation, SLA and anomaly responses look up a shop's operator decisions by time.
drop index concurrently if exists ${app_schema}."metrics_DecisionLog_ops_shopDomain_createdAt_idx";
create index concurrently "metrics_DecisionLog_ops_shopDomain_createdAt_idx"
    on ${app_schema}."DecisionLog" ("shopDomain", "createdAt")
    where scope = 'ops';
