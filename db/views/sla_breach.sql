-- Grain: one row per breach, i.e. per (shop, conversation) ever breached before the cutoff.
-- Source: metrics_staging.sla_breach (kept by metrics.refresh).
-- Refreshed: kept by metrics.refresh (nightly); shows app rows created before the newest refresh's window_end.

drop view if exists metrics.sla_breach;

create view metrics.sla_breach as
-- read through a WITH query: information_schema then says the view is not updatable, so BI tools
-- offer no edit grid (analysts may only read it anyway)
with breach as (
    select * from metrics_staging.sla_breach
)

select
    breach.shop_domain,
    breach.conversation_id,
    breach.breached_at,
    breach.first_action_at,
    breach.first_action,
    breach.resolution_minutes,
    breach.first_action_at is null as is_open
from breach;

comment on view metrics.sla_breach is
    'SLA resolution per breach: one row per (shop, Chatwoot conversation) that breached its SLA, however many escalation rows repeat it. Shows app rows created before the newest refresh''s window_end; kept up to date by metrics.refresh().';
comment on column metrics.sla_breach.shop_domain is 'Shop the conversation belongs to (the same conversation id in two shops is two breaches).';
comment on column metrics.sla_breach.conversation_id is 'Chatwoot conversation id.';
comment on column metrics.sla_breach.breached_at is 'Earliest breach instant found for the conversation in any escalation row (breachedAt, or createdAt + slaMinutes in older rows).';
comment on column metrics.sla_breach.first_action_at is 'Earliest ops decision referring to the conversation (externalRef chatwoot:<id>) at or after breached_at; NULL while open.';
comment on column metrics.sla_breach.first_action is 'Action name of that first decision, e.g. chatwoot.reply.<templateId>; NULL while open.';
comment on column metrics.sla_breach.resolution_minutes is 'Minutes from breached_at to first_action_at (exact, unrounded); NULL while open.';
comment on column metrics.sla_breach.is_open is 'True when no operator has acted on the conversation since the breach (before the data cutoff).';
