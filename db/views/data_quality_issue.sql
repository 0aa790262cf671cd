-- Grain: one row per skipped or degraded element (a row of the app tables plus a JSON path),
-- of app rows created before the cutoff. Source: metrics_staging.parse_issue.
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.data_quality_issue;

create view metrics.data_quality_issue as
-- read through a WITH query: information_schema then says the view is not updatable, so BI tools
-- offer no edit grid (analysts may only read it anyway)
with issue as (
    select * from metrics_staging.parse_issue
)

select
    issue.source_table,
    issue.source_id,
    issue.source_kind,
    issue.shop_domain,
    issue.source_created_at,
    issue.json_path,
    issue.reason
from issue
where issue.source_created_at < (select metrics.data_cutoff());

comment on view metrics.data_quality_issue is
    'Data quality: one row per element of the app rows that broke a parsing rule and was skipped (or, where noted, replaced by a fallback). Valid elements of the same row still count. Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.data_quality_issue.source_table is 'App table of the row: DashboardFact or DecisionLog.';
comment on column metrics.data_quality_issue.source_id is 'id of the row in source_table.';
comment on column metrics.data_quality_issue.source_kind is '"factType" of a DashboardFact row, or action of a DecisionLog row.';
comment on column metrics.data_quality_issue.shop_domain is 'Shop of the row.';
comment on column metrics.data_quality_issue.source_created_at is '"createdAt" of the row.';
comment on column metrics.data_quality_issue.json_path is 'Path of the invalid element or field inside the row, e.g. value[3].id, metadata.breaches[0].breachedAt, externalRef.';
comment on column metrics.data_quality_issue.reason is 'What was invalid and what was skipped or used instead.';
