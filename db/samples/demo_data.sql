-- Demo data for the operator metrics: NOT a migration, never run it against a real database.
--
-- Generates a realistic, deterministic sample of what the dashboard app writes into its own
-- tables ${app_schema}."DashboardFact" and ${app_schema}."DecisionLog" (docs/metrics.md
-- describes their shapes): 40 shops (shop-01 .. shop-40.myshopify.com) over the 42 UTC
-- days before today's UTC midnight (nothing is dated today or later), about 7,600 rows:
--   * dashboard.session.opened  - shops onboard spread over the 42 days, then visit often,
--                                 sometimes or rarely (engaged / late / never-acting shops);
--   * chatwoot.escalations      - written on every tile load, so a conversation repeats in
--                                 many rows; rows of the first 2 weeks predate the breach
--                                 telemetry (no metadata.breaches, no breachedAt);
--   * ga.sessions.anomalies     - a weekly landing-page report for some shops;
--   * facts the metrics must ignore (shopify.orders.daily, chatwoot.csat.weekly), rows with
--     a blank "shopDomain", and a handful of malformed JSON elements (SPEC "Lenient parsing");
--   * DecisionLog: operator actions (scope ops: chatwoot.*, seo.assignment.*) and scope
--     build decisions, which are not operator actions.
--
-- Usage: `${app_schema}` is a placeholder for the schema holding the app tables, e.g.
--   sed 's/\${app_schema}/"public"/g' db/samples/demo_data.sql | psql -v ON_ERROR_STOP=1 -q
-- (`./build.sh demo` does exactly that after db/fixtures/app_tables.sql).
--
-- Deterministic, and the same on every PostgreSQL version: no random(). Every pseudo-random
-- value is drawn by pg_temp.draw(purpose, keys...) from the md5 of a fixed seed, the draw's
-- purpose and the numbers that identify it (shop, day, ordinal, ...), so it depends neither on
-- the order in which the server evaluates rows nor on the server (random()'s algorithm changed
-- in PostgreSQL 15, and 14 gave other rows for the same setseed()). Durations are cut to whole
-- milliseconds in integer arithmetic (pg_temp.span), and the remaining arithmetic is IEEE double
-- +, -, *, / and floor, which every platform computes alike. Two loads as of the same UTC day
-- produce identical rows (ids included, in an empty database) on PostgreSQL 14 to 18. Timestamps
-- are UTC "timestamp(3)" values relative to today's UTC midnight, whatever the session TimeZone.
-- The generator stages rows in temporary tables (dropped at the end) and only inserts into
-- the app tables; it never updates or deletes app rows.

-- ---------------------------------------------------------------------------------------
-- 0. Clock, seed and helpers
-- ---------------------------------------------------------------------------------------
-- set_config() is called from a DO block to keep psql's output clean. The block pins today's
-- UTC midnight once (a load running across midnight stays consistent), unless the session has
-- set demo.today already (the docs' tests load the data as of a fixed day:
-- select set_config('demo.today', '2026-11-23T00:00:00', false)).
do $$
begin
    perform set_config('demo.today', coalesce(nullif(current_setting('demo.today', true), ''),
                                              to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"00:00:00')), false);
end
$$;
-- no parallel workers and no JIT compilation, which cost more than these small queries take
set max_parallel_workers_per_gather = 0;
set jit = off;

-- A pseudo-random number in [0, 1): the first 13 hex digits (52 bits) of the md5 of the seed,
-- the draw's purpose and its keys, divided by 2^52 (exact in double precision). The same
-- arguments give the same number on every server, in any query plan and in any row order. The
-- seed (demo-seed-1676) was picked so that the 40 shops split 26 / 7 / 7 into fast, late and
-- never-acting shops, as the shares in section 1 intend.
create function pg_temp.draw(purpose text, variadic keys bigint[]) returns double precision
language sql immutable as
$$ select ('x' || left(md5('demo-seed-1676|' || purpose || '|' || array_to_string(keys, ',', '-')), 13))::bit(52)::bigint
          / 4503599627370496.0::double precision $$;

-- `amount` times the duration `unit`, cut to whole milliseconds: computed as an integer number
-- of milliseconds, so no version's interval arithmetic can round it differently
create function pg_temp.span(amount double precision, unit interval) returns interval language sql immutable as
$$ select floor(amount * (extract(epoch from unit) * 1000)::bigint)::bigint * interval '1 millisecond' $$;

-- milliseconds since 1970 of a timestamp(3): an integer key for pg_temp.draw
create function pg_temp.epoch_ms(ts timestamp) returns bigint language sql immutable as
$$ select (extract(epoch from ts) * 1000)::bigint $$;

-- today's UTC midnight; the generated range is [today - 42 days, today)
create function pg_temp.today() returns timestamp language sql stable as
$$ select current_setting('demo.today')::timestamp $$;

-- start of day `ix` of the generated range: day 0 = today - 42 days, day 41 = yesterday
create function pg_temp.day_start(ix int) returns timestamp language sql stable as
$$ select pg_temp.today() - interval '42 days' + ix * interval '1 day' $$;

-- ISO-8601 UTC with milliseconds, as the app's JavaScript writes them: 2025-10-05T10:00:00.000Z
create function pg_temp.iso(ts timestamp) returns text language sql stable as
$$ select to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- the same instant written with a +02:00 offset, or without a zone (which means UTC)
create function pg_temp.iso_styled(ts timestamp, style text) returns text language sql stable as
$$ select case style
       when 'plus2' then to_char(ts + interval '2 hours', 'YYYY-MM-DD"T"HH24:MI:SS.MS') || '+02:00'
       when 'naive' then to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS.MS')
       else pg_temp.iso(ts)
   end $$;

-- staging copies of the two app tables; copied into the app tables in section 9
create temp table demo_fact (
    "shopDomain" text, "factType" text, scope text, value jsonb, metadata jsonb,
    "evidenceUrl" text, "createdAt" timestamp(3)
);
create temp table demo_decision (
    scope text, actor text, action text, rationale text, "evidenceUrl" text,
    "shopDomain" text, "externalRef" text, payload jsonb, "createdAt" timestamp(3)
);

-- ---------------------------------------------------------------------------------------
-- 1. Shops: onboarding day, engagement and per-shop settings
-- ---------------------------------------------------------------------------------------
-- Shop numbers follow sign-up order, so onboarding spreads over the 42 days (about one shop
-- a day, a few in the last 7 days). Engagement decides when operators start acting:
--   fast  (~66%) from their first session on;  late (~18%) only 8-14 days after it;
--   never (~16%) not at all (their breaches stay open).
create temp table demo_shop as
with dice as (
    select n, pg_temp.draw('shop.onboard', n) as r_onboard, pg_temp.draw('shop.hour', n) as r_hour,
           pg_temp.draw('shop.engagement', n) as r_engagement, pg_temp.draw('shop.late', n) as r_late,
           pg_temp.draw('shop.name', n) as r_name
    from generate_series(1, 40) as n
)
select n,
       format('shop-%s.myshopify.com', to_char(n, 'FM00')) as domain,
       o.onboard_ix,
       f.first_session_at,
       e.engagement,
       case e.engagement
           when 'fast' then f.first_session_at
           when 'late' then (f.first_session_at + interval '8 days' + pg_temp.span(r_late, '6 days'))::timestamp(3)
       end as active_from,
       (array['maria', 'jonas', 'aiko', 'lucas', 'priya', 'tom', 'sofia', 'omar', 'lena', 'diego'])[1 + floor(r_name * 10)::int]
           || '@' || format('shop-%s.example', to_char(n, 'FM00')) as operator_email,
       format('owner@shop-%s.example', to_char(n, 'FM00')) as owner_email,
       n % 8 <> 0 as has_chatwoot,                         -- 35 shops use the Chatwoot tile
       n % 3 = 0 or n % 8 = 0 as has_ga,                   -- 16 shops connected Google Analytics
       case when n in (5, 17, 29, 33) then 'plus2' else 'utc' end as time_style,  -- Europe/Berlin instances
       -- Chatwoot numbers conversations per account; shop-12's range overlaps shop-11's
       case when n = 12 then 1000 + (11 * 733) % 8000 + 3 else 1000 + (n * 733) % 8000 end as conv_base,
       100 + n as chatwoot_account
from dice,
     lateral (select least(41, greatest(0, round(((n - 1) * 41)::double precision / 39 + r_onboard * 4 - 2)))::int as onboard_ix) as o,
     lateral (select (pg_temp.day_start(o.onboard_ix) + interval '7 hours' + pg_temp.span(r_hour, '11 hours'))::timestamp(3)
                     as first_session_at) as f,
     lateral (select case when r_engagement < 0.66 then 'fast' when r_engagement < 0.84 then 'late' else 'never' end
                     as engagement) as e;

-- ---------------------------------------------------------------------------------------
-- 2. Dashboard sessions (dashboard.session.opened)
-- ---------------------------------------------------------------------------------------
-- The onboarding visit, then on later days 1-4 visits with a probability that depends on
-- engagement. Visits happen between 06:00 and 20:00 UTC.
create temp table demo_session as
with shop_days as (
    select s.n, s.domain, s.engagement, s.operator_email, s.owner_email, d.ix,
           pg_temp.draw('session.visit', s.n, d.ix) as r_visit, pg_temp.draw('session.count', s.n, d.ix) as r_count
    from demo_shop s cross join generate_series(0, 41) as d(ix)
    where d.ix > s.onboard_ix
),
visits as (
    select sd.n, sd.domain, sd.ix, sd.operator_email, sd.owner_email, g.k
    from shop_days sd
    cross join lateral generate_series(
        1, 1 + floor(sd.r_count * case sd.engagement when 'fast' then 4 when 'late' then 3 else 2 end)::int) as g(k)
    where sd.r_visit < case sd.engagement when 'fast' then 0.8 when 'late' then 0.55 else 0.35 end
)
select n, domain, onboard_ix as ix, 0 as k,
       first_session_at as opened_at, operator_email as email, 420 as client_lag_ms
from demo_shop                                                 -- the onboarding visit
union all
select n, domain, ix, k,
       (pg_temp.day_start(ix) + interval '6 hours' + pg_temp.span(pg_temp.draw('session.time', n, ix, k), '14 hours'))::timestamp(3),
       case when pg_temp.draw('session.owner', n, ix, k) < 0.15 then owner_email else operator_email end,
       50 + floor(pg_temp.draw('session.lag', n, ix, k) * 850)::int
from visits;

insert into demo_fact ("shopDomain", "factType", scope, value, metadata, "createdAt")
select domain, 'dashboard.session.opened', 'ops',
       jsonb_build_object('openedAt', pg_temp.iso((opened_at - client_lag_ms * interval '1 millisecond')::timestamp(3)),
                          'operatorEmail', email),
       jsonb_build_object('requestId', md5(domain || '|' || pg_temp.iso(opened_at))::uuid,
                          'generatedAt', pg_temp.iso(opened_at)),
       opened_at
from demo_session;

-- ---------------------------------------------------------------------------------------
-- 3. Chatwoot conversations and the operators' answers (scope ops decisions)
-- ---------------------------------------------------------------------------------------
-- Suggested-reply templates: the customer's question and the reply the tile suggests.
create temp table demo_template (template_id text, tag text, question text, reply text);
insert into demo_template values
    ('order_status',   'order-status', 'Hi, where is my order? It has been a week.',
     'Thanks for reaching out! Your order has shipped; here is the tracking link.'),
    ('shipping_delay', 'shipping',     'My parcel has not moved for 5 days, is it lost?',
     'Sorry for the wait: the carrier reports a delay, your parcel should arrive within 3 days.'),
    ('refund_policy',  'refund',       'Can I still return the jacket I bought last month?',
     'Yes, returns are free within 60 days. I have sent you a return label.'),
    ('address_change', 'address',      'I put the wrong street number, can you fix the address?',
     'Done: the shipping address of your order is updated.'),
    ('damaged_item',   'damaged',      'The mug arrived broken. What now?',
     'We are sorry! A replacement is on its way, no need to send the broken one back.');

-- Conversations arrive from the onboarding day on (fast shops ~1.6 a day, late ~1.2,
-- never ~0.6). The SLA is 30 minutes: an operator who is around answers ~55% in time; the
-- rest breach (30 min + a few seconds after creation). Breaches are answered 5 min to 6 h
-- later (skewed: median ~50 min), 12% never; late shops clear a backlog of the last 3 days
-- when they start acting. ~10% of breaches got an escalation before the breach.
create temp table demo_conversation as
with shop_days as (
    select s.domain, s.engagement, s.active_from, s.operator_email, s.conv_base, s.time_style,
           s.chatwoot_account, s.n, d.ix, pg_temp.draw('conversation.count', s.n, d.ix) as r_count
    from demo_shop s cross join generate_series(0, 41) as d(ix)
    where s.has_chatwoot and d.ix >= s.onboard_ix
),
arrivals as (
    select sd.*, g.k,
           pg_temp.draw('conversation.time', sd.n, sd.ix, g.k) as r_time,
           pg_temp.draw('conversation.breach', sd.n, sd.ix, g.k) as r_breach,
           pg_temp.draw('conversation.response', sd.n, sd.ix, g.k) as r_resp,
           pg_temp.draw('conversation.wait', sd.n, sd.ix, g.k) as r_wait,
           pg_temp.draw('conversation.early', sd.n, sd.ix, g.k) as r_early,
           pg_temp.draw('conversation.first', sd.n, sd.ix, g.k) as r_first,
           pg_temp.draw('conversation.follow', sd.n, sd.ix, g.k) as r_follow,
           pg_temp.draw('conversation.follow_wait', sd.n, sd.ix, g.k) as r_follow_wait,
           pg_temp.draw('conversation.first_name', sd.n, sd.ix, g.k) as r_first_name,
           pg_temp.draw('conversation.last_name', sd.n, sd.ix, g.k) as r_last_name,
           pg_temp.draw('conversation.template', sd.n, sd.ix, g.k) as r_template,
           pg_temp.draw('conversation.vip', sd.n, sd.ix, g.k) as r_vip,
           pg_temp.draw('conversation.inbox', sd.n, sd.ix, g.k) as r_inbox,
           pg_temp.draw('conversation.backlog', sd.n, sd.ix, g.k) as r_backlog,
           pg_temp.draw('conversation.padded', sd.n, sd.ix, g.k) as r_pad
    from shop_days sd
    cross join lateral generate_series(
        1, floor(sd.r_count * case sd.engagement when 'fast' then 4.2 when 'late' then 3.4 else 2.2 end)::int) as g(k)
),
numbered as materialized (
    select a.*, t.created_at,
           a.conv_base + row_number() over (partition by a.domain order by t.created_at, a.k) as conv_id,
           coalesce(a.active_from <= t.created_at, false) as operator_around   -- already acting when it arrives
    from arrivals a,
         lateral (select (pg_temp.day_start(a.ix) + pg_temp.span(a.r_time, '24 hours'))::timestamp(3) as created_at) as t
),
breaches as materialized (
    select nb.*,
           case when not (nb.operator_around and nb.r_breach >= 0.45)
                then (nb.created_at + interval '30 minutes' + pg_temp.span(nb.r_wait, '59 seconds'))::timestamp(3)
           end as breach_at
    from numbered nb
),
answers as materialized (
    select b.*,
           -- when the operator would answer the breach if they were acting already
           case when b.breach_at is not null and b.r_resp >= 0.12
                then (b.breach_at + pg_temp.span(5 + 355 * ((b.r_resp - 0.12) / 0.88) * ((b.r_resp - 0.12) / 0.88) * ((b.r_resp - 0.12) / 0.88),
                                                 '1 minute'))::timestamp(3)
           end as natural_answer_at
    from breaches b
),
first_actions as materialized (
    select a.*,
           case
               when a.breach_at is null then (a.created_at + pg_temp.span(3 + a.r_resp * 24, '1 minute'))::timestamp(3)
               when a.natural_answer_at >= a.active_from then a.natural_answer_at
               when a.natural_answer_at is not null and a.active_from - a.created_at < interval '3 days'
                   then (a.active_from + pg_temp.span(a.r_backlog, '4 hours'))::timestamp(3)   -- backlog cleanup
           end as first_action_at,
           case
               when a.breach_at is null then case when a.r_first < 0.65 then 'reply' else 'approve_send' end
               when a.natural_answer_at >= a.active_from then
                   case when a.r_first < 0.45 then 'reply' when a.r_first < 0.70 then 'approve_send'
                        when a.r_first < 0.82 then 'escalate' else 'mark_resolved' end
               else 'mark_resolved'
           end as first_kind
    from answers a
),
follow_ups as (
    select f.*,
           case when f.breach_at is not null and f.operator_around and f.r_early < 0.1
                then greatest(f.active_from, (f.created_at + pg_temp.span(5 + f.r_early * 200, '1 minute'))::timestamp(3))
           end as early_escalate_at,
           case when f.first_action_at is not null and f.first_kind <> 'mark_resolved' and f.r_follow < 0.65
                then (f.first_action_at + interval '10 minutes' + pg_temp.span(f.r_follow_wait * f.r_follow_wait, '10 hours'))::timestamp(3)
           end as follow_resolve_at
    from first_actions f
)
select f.domain, f.n, f.operator_email, f.chatwoot_account, f.time_style, f.conv_id, f.created_at, f.breach_at,
       f.first_action_at,
       case when f.first_action_at is not null then f.first_kind end as first_kind,
       f.early_escalate_at, f.follow_resolve_at,
       -- the tile lists a conversation until it is resolved, 6 h after an unresolved answer, or 48 h
       least(f.created_at + interval '48 hours',
             coalesce(case when f.first_kind = 'mark_resolved' then f.first_action_at else f.follow_resolve_at end,
                      f.first_action_at + interval '6 hours',
                      f.created_at + interval '48 hours'))::timestamp(3) as hide_at,
       f.r_pad < 0.05 as padded_ref,
       f.n * 10 + 1 + floor(f.r_inbox * 2)::int as inbox_id,
       (array['Emma', 'Noah', 'Mia', 'Liam', 'Hannah', 'Ben', 'Chloe', 'Yusuf', 'Ines', 'Mateo', 'Zoe', 'Kenji'])[1 + floor(f.r_first_name * 12)::int]
           || ' ' ||
       (array['Schmidt', 'Garcia', 'Okafor', 'Rossi', 'Nguyen', 'Dubois', 'Novak', 'Silva', 'Berg', 'Kowalski'])[1 + floor(f.r_last_name * 10)::int]
           as customer_name,
       t.template_id, t.question, t.reply,
       jsonb_build_array(t.tag) || case when f.r_vip < 0.3 then '["vip"]'::jsonb else '[]'::jsonb end as tags
from follow_ups f
join demo_template t
  on t.template_id = (array['order_status', 'shipping_delay', 'refund_policy', 'address_change', 'damaged_item'])[1 + floor(f.r_template * 5)::int];

-- Operator decisions on conversations: the first action, an escalation before the breach,
-- and a follow-up "mark resolved". A few refs are zero-padded (chatwoot:001234).
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'ops', c.operator_email, x.action, x.rationale,
       format('https://app.chatwoot.com/app/accounts/%s/conversations/%s', c.chatwoot_account, c.conv_id),
       c.domain,
       'chatwoot:' || case when x.padded then lpad(c.conv_id::text, 6, '0') else c.conv_id::text end,
       jsonb_build_object('conversationId', c.conv_id) || x.extra,
       x.at
from demo_conversation c
cross join lateral (values
    (c.first_action_at,
     case c.first_kind when 'reply' then 'chatwoot.reply.' || c.template_id else 'chatwoot.' || c.first_kind end,
     case c.first_kind
         when 'reply' then format('Sent the suggested "%s" reply.', c.template_id)
         when 'approve_send' then 'Reviewed and approved the drafted answer.'
         when 'escalate' then 'Needs a refund decision: escalated to the shop owner.'
         else 'Already handled by email; closing the conversation.'
     end,
     case when c.first_kind = 'reply' then jsonb_build_object('templateId', c.template_id) else '{}'::jsonb end,
     c.padded_ref),
    (c.early_escalate_at, 'chatwoot.escalate', 'Customer is upset: escalated before the SLA runs out.',
     '{}'::jsonb, false),
    (c.follow_resolve_at, 'chatwoot.mark_resolved', 'Customer confirmed, resolving.', '{}'::jsonb, false)
) as x(at, action, rationale, extra, padded)
where x.at is not null and x.at < pg_temp.today();

-- ---------------------------------------------------------------------------------------
-- 4. Chatwoot tile loads (chatwoot.escalations)
-- ---------------------------------------------------------------------------------------
-- The tile writes a row on every load: when a visit opens, on 0-2 reloads during the visit,
-- and right before the operator acts on a conversation. 8% of rows come from an app version
-- that wrote conversation ids as digit strings; 3% wrote breach times without a zone.
create temp table demo_tile_load as
with visits as (
    select s.n, s.ix, s.k, s.domain, s.opened_at, floor(pg_temp.draw('tile.reloads', s.n, s.ix, s.k) * 3)::int as reloads
    from demo_session s join demo_shop sh using (domain)
    where sh.has_chatwoot
),
loads as (
    select n, domain, (opened_at + interval '1500 milliseconds')::timestamp(3) as load_at from visits
    union all
    select v.n, v.domain, (v.opened_at + pg_temp.span(5 + pg_temp.draw('tile.reload_time', v.n, v.ix, v.k, g.r) * 85, '1 minute'))::timestamp(3)
    from visits v cross join lateral generate_series(1, v.reloads) as g(r)
    union all
    -- a decision is drawn by its shop, conversation and instant
    select sh.n, d."shopDomain",
           (d."createdAt" - pg_temp.span(20 + pg_temp.draw('tile.before_decision', sh.n, (d.payload ->> 'conversationId')::bigint,
                                                            pg_temp.epoch_ms(d."createdAt")) * 200, '1 second'))::timestamp(3)
    from demo_decision d join demo_shop sh on sh.domain = d."shopDomain"
    where d.action like 'chatwoot.%'
)
select row_number() over (order by domain, load_at) as load_id, domain, load_at,
       pg_temp.draw('tile.string_ids', n, pg_temp.epoch_ms(load_at)) < 0.08 as string_ids,
       pg_temp.draw('tile.naive_times', n, pg_temp.epoch_ms(load_at)) < 0.03 as naive_times
from loads
where load_at < pg_temp.today();

-- One row per load with the conversations listed at that moment. Rows before the breach
-- telemetry (the first 14 days) have no metadata.breaches and no breachedAt key.
insert into demo_fact ("shopDomain", "factType", scope, value, metadata, "createdAt")
select l.domain, 'chatwoot.escalations', 'ops',
       coalesce(jsonb_agg(e.conversation order by e.created_at, e.conv_id) filter (where e.conv_id is not null),
                '[]'::jsonb),
       jsonb_build_object('slaMinutes', 30, 'count', count(e.conv_id), 'generatedAt', pg_temp.iso(l.load_at))
       || case when l.load_at >= (pg_temp.today() - interval '28 days')
               then jsonb_build_object('breaches',
                        coalesce(jsonb_agg(e.breach order by e.breach_at, e.conv_id) filter (where e.breach is not null),
                                 '[]'::jsonb))
               else '{}'::jsonb
          end,
       l.load_at
from demo_tile_load l
left join lateral (
    select c.conv_id, c.created_at, c.breach_at,
           jsonb_build_object(
               'id', id_json,
               'inboxId', c.inbox_id,
               'status', case when c.first_action_at <= l.load_at then 'pending' else 'open' end,
               'customerName', c.customer_name,
               'createdAt', pg_temp.iso(c.created_at),
               'breachedAt', case when breached then breached_text end,
               'lastMessageAt', pg_temp.iso(case when answered then c.first_action_at else c.created_at end),
               'slaBreached', breached,
               'tags', c.tags,
               'suggestedReplyId', c.template_id,
               'suggestedReply', c.reply,
               'messages', jsonb_build_array(jsonb_build_object(
                               'id', c.conv_id * 10 + 1, 'sender', 'contact', 'messageType', 'incoming',
                               'content', c.question, 'createdAt', pg_temp.iso(c.created_at)))
                           || case when answered then jsonb_build_array(jsonb_build_object(
                               'id', c.conv_id * 10 + 2, 'sender', 'agent', 'messageType', 'outgoing',
                               'content', c.reply, 'createdAt', pg_temp.iso(c.first_action_at)))
                              else '[]'::jsonb end
           ) - case when l.load_at >= (pg_temp.today() - interval '28 days') then '' else 'breachedAt' end
               as conversation,
           case when breached then jsonb_build_object('conversationId', id_json, 'breachedAt', breached_text,
                                                      'createdAt', pg_temp.iso(c.created_at)) end as breach
    from demo_conversation c,
         lateral (select case when l.string_ids then to_jsonb(c.conv_id::text) else to_jsonb(c.conv_id) end as id_json,
                         coalesce(c.breach_at <= l.load_at, false) as breached,
                         pg_temp.iso_styled(c.breach_at, case when l.naive_times then 'naive' else c.time_style end) as breached_text,
                         coalesce(c.first_kind in ('reply', 'approve_send') and c.first_action_at <= l.load_at, false) as answered
                 ) as v
    where c.domain = l.domain and c.created_at <= l.load_at and l.load_at < c.hide_at
) as e on true
group by l.load_id, l.domain, l.load_at;

-- ---------------------------------------------------------------------------------------
-- 5. Google Analytics landing-page reports (ga.sessions.anomalies) and SEO assignments
-- ---------------------------------------------------------------------------------------
create temp table demo_page (page_no int, page text);
insert into demo_page values
    (1, '/'), (2, '/collections/all'), (3, '/collections/sale'), (4, '/collections/new-arrivals'),
    (5, '/products/linen-shirt'), (6, '/products/wool-beanie'), (7, '/products/gift-card'),
    (8, '/blogs/news/summer-guide'), (9, '/pages/shipping'), (10, '/pages/size-guide');

-- A weekly report per GA shop (on a shop-specific weekday, 05:00-09:00 UTC) for the previous
-- 7 days; 30% are fetched again the next day with the same range. 25% come from an older
-- tile that did not write isAnomaly (then wowDelta <= -0.2 is what counts).
create temp table demo_ga_report as
with report_days as (
    select s.n, s.domain, s.active_from, s.operator_email, d.ix,
           pg_temp.draw('ga.hour', s.n, d.ix) as r_hour, pg_temp.draw('ga.legacy', s.n, d.ix) as r_legacy,
           pg_temp.draw('ga.refetch', s.n, d.ix) as r_refetch, pg_temp.draw('ga.refetch_hour', s.n, d.ix) as r_refetch_hour
    from demo_shop s cross join generate_series(0, 41) as d(ix)
    where s.has_ga and d.ix > s.onboard_ix and (d.ix + s.n) % 7 = 0
)
select row_number() over (order by domain, ix) as report_id, n, ix, domain, active_from, operator_email,
       (pg_temp.day_start(ix) + interval '5 hours' + pg_temp.span(r_hour, '4 hours'))::timestamp(3) as created_at,
       case when r_refetch < 0.3
            then (pg_temp.day_start(ix + 1) + interval '7 hours' + pg_temp.span(r_refetch_hour, '10 hours'))::timestamp(3)
       end as refetched_at,
       r_legacy < 0.25 as legacy,
       (pg_temp.day_start(ix) - interval '7 days')::date as range_start,
       (pg_temp.day_start(ix) - interval '1 day')::date as range_end,
       format('properties/%s', 310000000 + n * 7919) as property_id
from report_days;

-- ~60% of the pages per report; week-over-week deltas mostly within +-25%, some drops of
-- 30-60% and a few spikes.
create temp table demo_ga_element as
with dice as (
    select r.report_id, p.page, x.*
    from demo_ga_report r cross join demo_page p,
         lateral (select pg_temp.draw('ga.pick', r.n, r.ix, p.page_no) as r_pick,
                         pg_temp.draw('ga.sessions', r.n, r.ix, p.page_no) as r_sessions,
                         pg_temp.draw('ga.delta', r.n, r.ix, p.page_no) as r_delta,
                         pg_temp.draw('ga.shift', r.n, r.ix, p.page_no) as r_shift,
                         pg_temp.draw('ga.response', r.n, r.ix, p.page_no) as r_resp,
                         pg_temp.draw('ga.delay', r.n, r.ix, p.page_no) as r_delay,
                         pg_temp.draw('ga.kind', r.n, r.ix, p.page_no) as r_kind) as x
),
shaped as (
    select d.*, 50 + floor(d.r_sessions * d.r_sessions * 4000)::int as sessions,
           round(((d.r_delta - 0.5) * 0.5
                  + case when d.r_shift < 0.2 then -0.33 when d.r_shift > 0.96 then 0.38 else 0 end)::numeric, 2)
               as wow_delta
    from dice d
    where d.r_pick < 0.6
)
select s.*, r.legacy, abs(s.wow_delta) >= 0.3 as flagged,
       case when r.legacy then s.wow_delta <= -0.2 else abs(s.wow_delta) >= 0.3 end as is_anomaly
from shaped s join demo_ga_report r using (report_id);

insert into demo_fact ("shopDomain", "factType", scope, value, metadata, "evidenceUrl", "createdAt")
select r.domain, 'ga.sessions.anomalies', 'ops',
       coalesce((select jsonb_agg(
                     jsonb_build_object('landingPage', e.page, 'sessions', e.sessions, 'wowDelta', e.wow_delta)
                     || case when e.legacy then '{}'::jsonb else jsonb_build_object('isAnomaly', e.flagged) end
                     || case when e.is_anomaly
                             then jsonb_build_object('evidenceUrl',
                                      format('https://analytics.google.com/analytics/web/#/p%s/reports/explorer?landingPage=%s',
                                             310000000 + r.n * 7919, e.page))
                             else '{}'::jsonb end
                     order by e.sessions desc, e.page collate "C")
                 from demo_ga_element e where e.report_id = r.report_id), '[]'::jsonb),
       jsonb_build_object('propertyId', r.property_id,
                          'range', jsonb_build_object('start', to_char(r.range_start, 'YYYY-MM-DD'),
                                                      'end', to_char(r.range_end, 'YYYY-MM-DD')),
                          'generatedAt', pg_temp.iso(w.at)),
       format('https://analytics.google.com/analytics/web/#/p%s/reports/intelligenthome', 310000000 + r.n * 7919),
       w.at
from demo_ga_report r
cross join lateral (values (r.created_at), (r.refetched_at)) as w(at)
where w.at is not null and w.at < pg_temp.today();

-- Operators assign ~55% of anomalies within 24 h, ~20% later, the rest never.
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'ops', r.operator_email,
       'seo.assignment.' || (array['content_refresh', 'fix_redirect', 'investigate'])[1 + floor(e.r_kind * 3)::int],
       format('Sessions on %s changed %s%% week over week.', e.page, round(e.wow_delta * 100)),
       null, r.domain, null,
       jsonb_build_object('landingPage', e.page, 'wowDelta', e.wow_delta, 'assignee', 'seo@agency.example'),
       a.at
from demo_ga_element e
join demo_ga_report r using (report_id),
lateral (select case when e.r_resp < 0.55 then (r.created_at + interval '20 minutes' + pg_temp.span(e.r_delay, '22 hours'))::timestamp(3)
                     when e.r_resp < 0.75 then (r.created_at + interval '25 hours' + pg_temp.span(e.r_delay, '48 hours'))::timestamp(3)
                end as at) as a
where e.is_anomaly and a.at >= r.active_from and a.at < pg_temp.today();

-- ---------------------------------------------------------------------------------------
-- 6. Facts the metrics must ignore: other fact types
-- ---------------------------------------------------------------------------------------
-- Daily Shopify order totals (written at ~02:00 UTC for the previous day) ...
insert into demo_fact ("shopDomain", "factType", scope, value, metadata, "createdAt")
select s.domain, 'shopify.orders.daily', 'shopify',
       jsonb_build_object('date', to_char(pg_temp.day_start(d.ix), 'YYYY-MM-DD'),
                          'orders', t.orders, 'revenue', round((t.orders * (35 + pg_temp.draw('orders.basket', s.n, d.ix) * 60))::numeric, 2),
                          'currency', 'USD'),
       jsonb_build_object('generatedAt', pg_temp.iso(t.at)),
       t.at
from demo_shop s
cross join generate_series(0, 40) as d(ix)
cross join lateral (select (pg_temp.day_start(d.ix + 1) + interval '2 hours' + pg_temp.span(pg_temp.draw('orders.time', s.n, d.ix), '30 minutes'))::timestamp(3),
                           floor(pg_temp.draw('orders.count', s.n, d.ix) * 40 + s.n % 5 * 10)::int) as t(at, orders)
where d.ix >= s.onboard_ix;

-- ... and a weekly customer-satisfaction summary of the Chatwoot shops (scope ops, yet not an input).
insert into demo_fact ("shopDomain", "factType", scope, value, metadata, "createdAt")
select s.domain, 'chatwoot.csat.weekly', 'ops',
       jsonb_build_object('score', round((3.6 + pg_temp.draw('csat.score', s.n, d.ix) * 1.3)::numeric, 2),
                          'responses', 5 + floor(pg_temp.draw('csat.responses', s.n, d.ix) * 40)::int),
       jsonb_build_object('generatedAt', pg_temp.iso(pg_temp.day_start(d.ix) + interval '3 hours')),
       pg_temp.day_start(d.ix) + interval '3 hours'
from demo_shop s
cross join generate_series(0, 41) as d(ix)
where s.has_chatwoot and d.ix > s.onboard_ix and (d.ix + s.n) % 7 = 3;

-- ---------------------------------------------------------------------------------------
-- 7. Build decisions (scope build: deploys, migrations, feature flags; not operator actions)
-- ---------------------------------------------------------------------------------------
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'build', (array['ci@metrics.example', 'anna.dev@metrics.example', 'release-bot@metrics.example'])[1 + floor(pg_temp.draw('build.actor', g) * 3)::int],
       x.action, x.rationale, format('https://github.com/example/dashboard/actions/runs/%s', 9000000 + g * 137),
       null, null, jsonb_build_object('commit', left(md5(g::text), 7)),
       (pg_temp.day_start((g * 37) % 42) + interval '9 hours' + pg_temp.span(pg_temp.draw('build.time', g), '8 hours'))::timestamp(3)
from generate_series(1, 24) as g,
     lateral (select (array['build.deploy', 'build.migrate', 'build.rollback'])[1 + g % 3] as action,
                     (array['Deployed the dashboard release.', 'Applied the Prisma migrations.', 'Rolled back a faulty release.'])[1 + g % 3]
                         as rationale) as x;

-- Feature flags switched on for shops a day after their first session: never-acting shops
-- get one too, so counting scope build would wrongly activate them.
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'build', 'release-bot@metrics.example', 'build.feature_flag.enable', 'Enabled breach telemetry for the shop.',
       null, s.domain, null, jsonb_build_object('flag', 'chatwoot-breach-telemetry'),
       (s.first_session_at + interval '1 day')::timestamp(3)
from demo_shop s
where (s.engagement = 'never' or s.n % 4 = 0)
  and s.first_session_at + interval '1 day' < pg_temp.today();

-- Webhook replays that name a still-open breach: a build decision never answers a breach.
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'build', 'ci@metrics.example', 'build.chatwoot.webhook_replay', 'Replayed missed Chatwoot webhooks.',
       null, c.domain, 'chatwoot:' || c.conv_id, null, (c.breach_at + interval '1 hour')::timestamp(3)
from (select * from demo_conversation
      where breach_at is not null and first_action_at is null
        and breach_at + interval '1 hour' < (pg_temp.today() - interval '1 day')
      order by breach_at desc, domain, conv_id limit 3) as c;

-- ---------------------------------------------------------------------------------------
-- 8. Rows the metrics must ignore or only partly use
-- ---------------------------------------------------------------------------------------
-- 8a. Blank "shopDomain": copies of real rows inside the last 7 days with '' or '   '.
insert into demo_fact ("shopDomain", "factType", scope, value, metadata, "evidenceUrl", "createdAt")
select blank, f."factType", f.scope, f.value, f.metadata, f."evidenceUrl", f."createdAt"
from (values ('dashboard.session.opened', '', 0), ('dashboard.session.opened', '   ', 1),
             ('chatwoot.escalations', '   ', 0), ('ga.sessions.anomalies', '', 0)) as b(fact_type, blank, pick)
cross join lateral (
    select * from demo_fact f
    where f."factType" = b.fact_type and f."createdAt" >= (pg_temp.today() - interval '7 days')
      and (b.fact_type <> 'chatwoot.escalations' or jsonb_array_length(f.metadata -> 'breaches') > 0)
      and (b.fact_type <> 'ga.sessions.anomalies' or f.value @> '[{"isAnomaly": true}]')
    order by f."createdAt", f."shopDomain", f.value::text collate "C", f.metadata::text collate "C" offset b.pick limit 1
) as f;

insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select d.scope, d.actor, d.action, d.rationale, d."evidenceUrl", b.blank, d."externalRef", d.payload,
       (d."createdAt" + interval '2 seconds')::timestamp(3)
from (values (null, 0), ('', 1), ('   ', 2)) as b(blank, pick)
cross join lateral (
    select * from demo_decision d
    where d.scope = 'ops' and d.action like 'chatwoot.%'
      and d."createdAt" >= (pg_temp.today() - interval '7 days')
    order by d."createdAt", d."shopDomain", d.action, d."externalRef" offset b.pick limit 1
) as d;

-- 8b. Malformed elements inside otherwise valid rows (SPEC "Lenient parsing"). Each target is
-- the first matching row in the last 7 days; its valid elements stay untouched.
-- Breach list: invalid breachedAt (garbage, number, null, month 13, space instead of T) and
-- invalid conversation ids (1.5, 1.0, "12a").
with target as (
    select ctid, "createdAt" as at from demo_fact
    where "factType" = 'chatwoot.escalations' and "shopDomain" <> '   '
      and "createdAt" >= (pg_temp.today() - interval '7 days')
      and jsonb_array_length(metadata -> 'breaches') > 0
    order by "createdAt", "shopDomain", value::text collate "C", metadata::text collate "C" limit 1
)
update demo_fact f
set metadata = jsonb_set(f.metadata, '{breaches}', f.metadata -> 'breaches' || jsonb_build_array(
        jsonb_build_object('conversationId', 990001, 'breachedAt', 'garbage', 'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', 990002, 'breachedAt', 1717430400, 'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', 990003, 'breachedAt', null, 'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', 990004, 'breachedAt', '2025-13-45T10:00:00Z', 'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', 990005, 'breachedAt', to_char(t.at - interval '1 hour', 'YYYY-MM-DD HH24:MI:SS"Z"'),
                           'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', 1.5, 'breachedAt', pg_temp.iso(t.at - interval '1 hour'), 'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', '1.0'::jsonb, 'breachedAt', pg_temp.iso(t.at - interval '1 hour'), 'createdAt', pg_temp.iso(t.at - interval '2 hours')),
        jsonb_build_object('conversationId', '12a', 'breachedAt', pg_temp.iso(t.at - interval '1 hour'), 'createdAt', pg_temp.iso(t.at - interval '2 hours'))))
from target t
where f.ctid = t.ctid;

-- Conversation list: ids 1.5 / 1.0 / "12a"; conversation 990011 with a month-13 breachedAt but
-- a valid createdAt (its breach comes from createdAt + slaMinutes, answered below); 990012
-- with no usable timestamp at all (garbage breachedAt, numeric createdAt).
with target as (
    select ctid, "createdAt" as at from demo_fact
    where "factType" = 'chatwoot.escalations' and "shopDomain" <> '   '
      and "createdAt" >= (pg_temp.today() - interval '6 days')
      and jsonb_array_length(metadata -> 'breaches') > 0
    order by "createdAt", "shopDomain", value::text collate "C", metadata::text collate "C" limit 1
),
extra as (
    select t.ctid, jsonb_agg(jsonb_build_object(
               'id', x.id, 'inboxId', 11, 'status', 'open', 'customerName', 'Test Customer',
               'createdAt', x.created, 'breachedAt', x.breached, 'lastMessageAt', pg_temp.iso(t.at - interval '3 hours'),
               'slaBreached', true, 'tags', '[]'::jsonb, 'suggestedReplyId', 'order_status',
               'suggestedReply', 'Thanks for reaching out! Your order has shipped; here is the tracking link.',
               'messages', '[]'::jsonb) order by x.ord) as elements
    from target t
    cross join lateral (values
        (1, '1.5'::jsonb, to_jsonb(pg_temp.iso(t.at - interval '3 hours')), to_jsonb(pg_temp.iso(t.at - interval '150 minutes'))),
        (2, '1.0'::jsonb, to_jsonb(pg_temp.iso(t.at - interval '3 hours')), to_jsonb(pg_temp.iso(t.at - interval '150 minutes'))),
        (3, '"12a"'::jsonb, to_jsonb(pg_temp.iso(t.at - interval '3 hours')), to_jsonb(pg_temp.iso(t.at - interval '150 minutes'))),
        (4, '990011'::jsonb, to_jsonb(pg_temp.iso(t.at - interval '3 hours')), '"2025-13-45T10:00:00Z"'::jsonb),
        (5, '990012'::jsonb, '1717430400'::jsonb, '"garbage"'::jsonb)
    ) as x(ord, id, created, breached)
    group by t.ctid
)
update demo_fact f
set value = f.value || e.elements,
    metadata = jsonb_set(f.metadata, '{count}', to_jsonb(jsonb_array_length(f.value || e.elements)))
from extra e
where f.ctid = e.ctid;

-- the operator closes 990011 40 minutes after its breach (createdAt + 30 min)
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'ops', s.operator_email, 'chatwoot.mark_resolved', 'Duplicate of another ticket.', null, f."shopDomain",
       'chatwoot:990011', '{"conversationId": 990011}'::jsonb,
       (((f.value -> (jsonb_array_length(f.value) - 2) ->> 'createdAt')::timestamptz at time zone 'utc') + interval '70 minutes')::timestamp(3)
from demo_fact f join demo_shop s on s.domain = f."shopDomain"
where f."factType" = 'chatwoot.escalations' and f.value @> '[{"id": 990011}]';

-- Old rows (before the breach telemetry): one with slaMinutes as a string, so its breached
-- conversations get no instant from it; another gets conversations whose createdAt is
-- garbage, null, or written with a space instead of T.
with target as (
    select ctid from demo_fact
    where "factType" = 'chatwoot.escalations' and not metadata ? 'breaches' and value @> '[{"slaBreached": true}]'
    order by "createdAt", "shopDomain", value::text collate "C", metadata::text collate "C" limit 1
)
update demo_fact f set metadata = jsonb_set(f.metadata, '{slaMinutes}', '"30"')
from target t where f.ctid = t.ctid;

with target as (
    select ctid, "createdAt" as at from demo_fact
    where "factType" = 'chatwoot.escalations' and not metadata ? 'breaches' and value @> '[{"slaBreached": true}]'
    order by "createdAt" desc, "shopDomain", value::text collate "C", metadata::text collate "C" limit 1
),
extra as (
    select t.ctid, jsonb_agg(jsonb_build_object(
               'id', x.id, 'inboxId', 11, 'status', 'open', 'customerName', 'Test Customer', 'createdAt', x.created,
               'lastMessageAt', pg_temp.iso(t.at - interval '2 hours'), 'slaBreached', true, 'tags', '[]'::jsonb,
               'suggestedReplyId', 'damaged_item', 'suggestedReply', 'We are sorry! A replacement is on its way.',
               'messages', '[]'::jsonb) order by x.ord) as elements
    from target t
    cross join lateral (values
        (1, 990021, '"yesterday"'::jsonb),
        (2, 990022, 'null'::jsonb),
        (3, 990023, to_jsonb(to_char(t.at - interval '2 hours', 'YYYY-MM-DD HH24:MI:SS"Z"')))
    ) as x(ord, id, created)
    group by t.ctid
)
update demo_fact f
set value = f.value || e.elements,
    metadata = jsonb_set(f.metadata, '{count}', to_jsonb(jsonb_array_length(f.value || e.elements)))
from extra e
where f.ctid = e.ctid;

-- an externalRef that names no conversation
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'ops', s.operator_email, 'chatwoot.escalate', 'Escalated from the inbox view.', null, s.domain, 'chatwoot:abc', null,
       (pg_temp.today() - interval '3 days' + interval '10 hours 17 minutes')
from demo_shop s where s.n = 2;

-- GA: isAnomaly null (counts as absent: -0.33 is an anomaly, -0.10 is not) and an empty
-- landingPage, in the newest non-legacy report of the window of an acting shop; an SEO assignment answers
-- /pages/contact within 24 h.
with target as (
    select f.ctid, f."shopDomain", f."createdAt" as at from demo_fact f
    join demo_shop s on s.domain = f."shopDomain" and s.active_from <= f."createdAt"   -- a shop already acting
    where f."factType" = 'ga.sessions.anomalies'
      and f."createdAt" >= (pg_temp.today() - interval '7 days')
      and f.value @> '[{"isAnomaly": false}]'
    order by f."createdAt" desc, f."shopDomain", f.value::text collate "C", f.metadata::text collate "C" limit 1
),
patched as (
    update demo_fact f
    set value = f.value || '[{"landingPage": "/pages/contact", "sessions": 140, "wowDelta": -0.33, "isAnomaly": null},
                             {"landingPage": "/pages/faq", "sessions": 95, "wowDelta": -0.10, "isAnomaly": null},
                             {"landingPage": "", "sessions": 12, "wowDelta": -0.9, "isAnomaly": true}]'::jsonb
    from target t where f.ctid = t.ctid
    returning t."shopDomain", t.at
)
insert into demo_decision (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select 'ops', s.operator_email, 'seo.assignment.investigate', 'Contact page lost a third of its sessions.', null,
       p."shopDomain", null, '{"landingPage": "/pages/contact", "assignee": "seo@agency.example"}'::jsonb,
       least((p.at + interval '3 hours')::timestamp(3), (pg_temp.today() - interval '1 minute'))
from patched p join demo_shop s on s.domain = p."shopDomain";

-- GA: a range.end that is not a YYYY-MM-DD date (the row's createdAt date is used instead)
with target as (
    select ctid from demo_fact
    where "factType" = 'ga.sessions.anomalies' and "shopDomain" <> ''
      and "createdAt" < (pg_temp.today() - interval '7 days')
    order by "createdAt" desc, "shopDomain", value::text collate "C", metadata::text collate "C" limit 1
)
update demo_fact f set metadata = jsonb_set(f.metadata, '{range,end}', '"last week"')
from target t where f.ctid = t.ctid;

-- ---------------------------------------------------------------------------------------
-- 9. Copy into the app tables, in a fixed order so ids are reproducible
-- ---------------------------------------------------------------------------------------
insert into ${app_schema}."DashboardFact"
    ("shopDomain", "factType", scope, value, metadata, "evidenceUrl", "createdAt", "updatedAt")
select "shopDomain", "factType", scope, value, metadata, "evidenceUrl", "createdAt", "createdAt"
from demo_fact
order by "createdAt", "factType" collate "C", "shopDomain" collate "C", value::text collate "C", metadata::text collate "C";

insert into ${app_schema}."DecisionLog"
    (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
select scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt"
from demo_decision
order by "createdAt", scope collate "C", "shopDomain" collate "C", action collate "C", "externalRef" collate "C", actor collate "C",
         payload::text collate "C", rationale collate "C", "evidenceUrl" collate "C";

-- ---------------------------------------------------------------------------------------
-- 10. Clean up the session
-- ---------------------------------------------------------------------------------------
drop table demo_fact, demo_decision, demo_ga_element, demo_ga_report, demo_page, demo_tile_load,
           demo_conversation, demo_template, demo_session, demo_shop;
drop function pg_temp.iso_styled(timestamp, text), pg_temp.iso(timestamp), pg_temp.day_start(int), pg_temp.today(),
              pg_temp.epoch_ms(timestamp), pg_temp.span(double precision, interval), pg_temp.draw(text, bigint[]);
reset max_parallel_workers_per_gather;
reset jit;
reset demo.today;
