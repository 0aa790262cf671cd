-- The benchmark's data generator: NOT a migration, never run it against a real database.
--
-- Creates schema bench with bench.generate_days(seed, shops, first_day, from_day, to_day),
-- which inserts into "DashboardFact" and "DecisionLog" (in the search_path) what a fleet of
-- `shops` shops writes on the UTC days first_day + from_day .. first_day + to_day - 1,
-- shaped as SPEC.md "Fact shapes written by the app" and docs/metrics.md describe:
--   * dashboard.session.opened  about 27 visits per shop and day;
--   * chatwoot.escalations      15 tile loads per shop and day (95% of shops), each listing the
--                               shop's conversations open at that instant (about 6, with
--                               customer name, messages and a suggested reply: a few KB per
--                               row), so one conversation repeats across many rows; with
--                               metadata.slaMinutes/count/breaches/generatedAt, except before
--                               the shop's breach-telemetry day (no breaches, no breachedAt);
--   * ga.sessions.anomalies     one report a day for 40% of the shops, 15 landing pages;
--   * shopify.orders.snapshot, shopify.inventory.daily: facts the metrics ignore;
--   * DecisionLog               chatwoot.reply.<template>/approve_send/escalate/mark_resolved
--                               with externalRef chatwoot:<id>, seo.assignment.content_refresh
--                               with payload.landingPage, other ops actions, scope build rows;
--   * about 1% malformed elements of the kinds docs/metrics.md lists (bad ids and instants,
--     non-objects, a value that is not an array, bad range.end, isAnomaly/wowDelta/landingPage,
--     externalRef that is not chatwoot:<digits>).
-- 70% of the shops exist from day 0, the others onboard on one of days 1..28 (no rows before);
-- 15% of the shops never act (no ops decision: not activated, their breaches stay open).
--
-- Deterministic: every choice is a hash of (seed, salt, shop, day, n) (hashint8extended), not
-- random(), so generating days [0, 30) at once or as [0, 10) + [10, 30) gives the same rows
-- (only the serial ids depend on the order of the calls). Each day is inserted in "createdAt"
-- order, so ids grow with time as in the app. A conversation lives at most 3 days and every
-- decision about it falls within 4 days of its creation: a day's rows depend only on days
-- day-3 .. day, which is what lets the nightly step append one day.

create schema if not exists bench;

-- A uniform number in [0, 1) for (seed, salt, key): the only source of variation.
create or replace function bench.unit(seed bigint, salt int, key bigint)
returns double precision
language sql immutable parallel safe
as $$ select (hashint8extended(key, seed * 64 + salt) & 281474976710655)::double precision / 281474976710656 $$;

-- The key of (shop, day, n): shops < 100,000, days < 10,000, n < 10,000.
create or replace function bench.key(shop int, day int, n bigint)
returns bigint
language sql immutable parallel safe
as $$ select shop::bigint * 100000000 + day::bigint * 10000 + n $$;

-- ISO-8601 UTC with milliseconds, as the app's JavaScript writes them.
create or replace function bench.iso(instant timestamp)
returns text
language sql stable parallel safe
as $$ select to_char(instant, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- Twenty words of support-chat text, chosen by the hash of (seed, key): message bodies that
-- compress about as well as real ones.
create or replace function bench.words(seed bigint, key bigint)
returns text
language sql immutable parallel safe
as $$
    select string_agg(
        (array['order', 'shipping', 'refund', 'hello', 'please', 'thanks', 'package', 'delivery',
               'tracking', 'number', 'week', 'yesterday', 'still', 'not', 'arrived', 'size',
               'exchange', 'return', 'label', 'damaged', 'color', 'wrong', 'item', 'invoice',
               'payment', 'card', 'charged', 'twice', 'discount', 'code', 'checkout', 'error',
               'address', 'change', 'cancel', 'subscription', 'when', 'will', 'my', 'the',
               'can', 'you', 'help', 'with', 'is', 'it', 'possible', 'to', 'get', 'a',
               'new', 'one', 'sorry', 'for', 'inconvenience', 'we', 'have', 'sent', 'your',
               'replacement', 'today', 'best', 'regards', 'team'])
            [1 + ((hashint8extended(key, seed * 64 + 40 + word / 10) >> ((word % 10) * 6)) & 63)::int],
        ' ' order by word)
    from generate_series(0, 19) as word
$$;

create or replace procedure bench.generate_days(seed bigint, shops int, first_day date, from_day int, to_day int)
language plpgsql
as $procedure$
begin
    perform set_config('work_mem', '256MB', true);
    perform set_config('jit', 'off', true);

    -- One row per shop: settings drawn once from (seed, shop).
    drop table if exists bench_shop;
    create temp table bench_shop on commit drop as
    select
        shop,
        format('shop-%s.myshopify.com', to_char(shop, 'FM00000')) as domain,
        (array[30, 60, 120])[1 + floor(bench.unit(seed, 1, shop) * 3)::int] as sla_minutes,
        case when bench.unit(seed, 2, shop) < 0.7 then 0 else 1 + floor(bench.unit(seed, 3, shop) * 28)::int end as onboard_day,
        floor(bench.unit(seed, 4, shop) * 8)::int as telemetry_day,
        bench.unit(seed, 5, shop) >= 0.15 as acts,
        bench.unit(seed, 6, shop) < 0.95 as has_chatwoot,
        bench.unit(seed, 7, shop) < 0.4 as has_ga,
        (array['maria', 'jonas', 'aiko', 'lucas', 'priya', 'tom', 'sofia', 'omar'])[1 + floor(bench.unit(seed, 8, shop) * 8)::int]
            || format('@shop-%s.example', shop) as operator_email
    from generate_series(1, shops) as shop;

    -- Conversations created on days from_day - 3 .. to_day - 1: up to 4 per shop and day.
    -- Breached when the first reply comes after the SLA (or never); listed until resolved.
    drop table if exists bench_conversation;
    create temp table bench_conversation on commit drop as
    with drawn as (
        select
            shop.shop,
            shop.acts,
            day,
            k,
            shop.shop::bigint * 1000000 + day * 10 + k as conversation_id,
            first_day + day + bench.unit(seed, 10, bench.key(shop.shop, day, k)) * interval '24 hours' as created_at,
            shop.sla_minutes * interval '1 minute' as sla,
            bench.unit(seed, 11, bench.key(shop.shop, day, k)) as reply_draw,
            bench.unit(seed, 12, bench.key(shop.shop, day, k)) as delay_draw,
            bench.unit(seed, 13, bench.key(shop.shop, day, k)) as life_draw
        from bench_shop as shop
        cross join generate_series(greatest(from_day - 3, 0), to_day - 1) as day
        cross join generate_series(0, 3) as k
        where shop.has_chatwoot
          and day >= shop.onboard_day
          and bench.unit(seed, 9, bench.key(shop.shop, day, k)) < 0.95
    ),
    timed as (
        select
            drawn.*,
            created_at + sla as sla_at,
            case
                when not acts or reply_draw >= 0.88 then null
                when reply_draw < 0.35 then created_at + delay_draw * sla
                else created_at + sla + delay_draw * interval '12 hours'
            end::timestamp(3) as replied_at
        from drawn
    )
    select
        timed.*,
        replied_at is null or replied_at > sla_at as is_breached,
        greatest(created_at + interval '6 hours' + life_draw * interval '60 hours', replied_at + interval '1 hour')::timestamp(3) as resolved_at,
        jsonb_build_object(
            'id', conversation_id,
            'inboxId', 1 + shop % 3,
            'status', 'open',
            'customerName', (array['Anna', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Hugo'])[1 + (k + day) % 8]
                || ' ' || (array['Smith', 'Meyer', 'Rossi', 'Tanaka', 'Silva', 'Novak', 'Dubois', 'Larsen'])[1 + (shop + k) % 8],
            'createdAt', bench.iso(created_at),
            'lastMessageAt', bench.iso(created_at + interval '20 minutes'),
            'tags', jsonb_build_array('vip', 'shipping', 'refund')  - (k % 3),
            'suggestedReplyId', format('tpl-%s', k + 1),
            'suggestedReply', bench.words(seed, bench.key(shop, day, 100 + k)),
            'messages', (
                select jsonb_agg(jsonb_build_object(
                    'id', conversation_id * 10 + message,
                    'sender', case message % 2 when 0 then 'customer' else 'agent' end,
                    'content', bench.words(seed, bench.key(shop, day, 200 + k * 10 + message)),
                    'createdAt', bench.iso(created_at + message * interval '5 minutes')) order by message)
                from generate_series(0, 3) as message
            )
        ) as body
    from timed;
    create index on bench_conversation (shop, day);
    analyze bench_conversation;

    for day_index in from_day .. to_day - 1 loop
        perform bench.insert_day(seed, first_day, day_index);
    end loop;
end
$procedure$;

-- One day's rows of every kind, inserted in "createdAt" order (needs bench_shop and
-- bench_conversation from generate_days).
create or replace function bench.insert_day(seed bigint, first_day date, day_index int)
returns void
language plpgsql
as $function$
declare
    day_start constant timestamp := first_day + day_index;
begin
    insert into "DashboardFact" ("shopDomain", "factType", scope, value, metadata, "evidenceUrl", "createdAt", "updatedAt")
    with active_shop as (
        select * from bench_shop where onboard_day <= day_index
    ),

    session as (
        select
            shop.domain,
            'dashboard.session.opened' as fact_type,
            jsonb_build_object('openedAt', bench.iso(occurred_at), 'operatorEmail', shop.operator_email) as value,
            jsonb_build_object('requestId', md5(bench.key(shop.shop, day_index, n)::text), 'generatedAt', bench.iso(occurred_at)) as metadata,
            null as evidence_url,
            occurred_at
        from active_shop as shop
        cross join lateral generate_series(0, 19 + floor(bench.unit(seed, 20, bench.key(shop.shop, day_index, 0)) * 16)::int) as n
        cross join lateral (select (day_start + bench.unit(seed, 21, bench.key(shop.shop, day_index, n)) * interval '24 hours')::timestamp(3) as occurred_at) as instant
    ),

    shopify as (
        select
            shop.domain,
            case when n = 12 then 'shopify.inventory.daily' else 'shopify.orders.snapshot' end,
            jsonb_build_object('orders', floor(bench.unit(seed, 22, bench.key(shop.shop, day_index, n)) * 40)::int,
                               'revenue', round((bench.unit(seed, 23, bench.key(shop.shop, day_index, n)) * 4000)::numeric, 2),
                               'currency', 'USD'),
            jsonb_build_object('generatedAt', bench.iso(occurred_at)),
            null,
            occurred_at
        from active_shop as shop
        cross join generate_series(0, 12) as n
        cross join lateral (select (day_start + (n + 0.5) * interval '110 minutes')::timestamp(3) as occurred_at) as instant
    ),

    -- tile loads: 15 a day per Chatwoot shop, each listing the conversations open then
    tile_load as (
        select
            shop.shop,
            shop.domain,
            shop.sla_minutes,
            day_index >= shop.telemetry_day as has_telemetry,
            n,
            (day_start + (n + bench.unit(seed, 30, bench.key(shop.shop, day_index, n))) * interval '96 minutes')::timestamp(3) as occurred_at
        from active_shop as shop
        cross join generate_series(0, 14) as n
        where shop.has_chatwoot
    ),

    listed as (
        select
            load.shop,
            load.n,
            conversation.created_at,
            conversation.conversation_id,
            conversation.sla_at,
            conversation.is_breached and load.occurred_at >= conversation.sla_at as is_breached_now,
            load.has_telemetry,
            case
                when bench.unit(seed, 31, bench.key(load.shop, day_index, load.n * 100 + conversation.conversation_id % 100)) >= 0.01 then 0
                else 1 + floor(bench.unit(seed, 32, bench.key(load.shop, day_index, load.n * 100 + conversation.conversation_id % 100)) * 4)::int
            end as malformation,
            conversation.body
        from tile_load as load
        cross join generate_series(0, 3) as back
        join bench_conversation as conversation
          on conversation.shop = load.shop
         and conversation.day = day_index - back
         and conversation.created_at <= load.occurred_at
         and conversation.resolved_at > load.occurred_at
    ),

    element as (
        select
            listed.*,
            case malformation
                when 0 then element
                when 1 then element || jsonb_build_object('id', conversation_id::text || 'a')
                when 2 then element || jsonb_build_object('id', conversation_id + 0.5)
                when 3 then case when is_breached_now and has_telemetry
                                 then element || jsonb_build_object('breachedAt', replace(bench.iso(sla_at), 'T', ' '))
                                 else element end
                else to_jsonb(format('conversation %s', conversation_id))
            end as element
        from listed
        cross join lateral (
            select body || jsonb_build_object('slaBreached', is_breached_now)
                || case when has_telemetry
                        then jsonb_build_object('breachedAt', case when is_breached_now then bench.iso(sla_at) end)
                        else '{}' end as element
        ) as clean
    ),

    load_content as (
        select
            shop,
            n,
            jsonb_agg(element order by created_at, conversation_id) as conversations,
            jsonb_agg(jsonb_build_object(
                'conversationId', case when malformation = 1 then to_jsonb(format('c-%s', conversation_id)) else to_jsonb(conversation_id) end,
                'breachedAt', bench.iso(sla_at),
                'createdAt', bench.iso(created_at)) order by sla_at, conversation_id)
                filter (where is_breached_now) as breaches
        from element
        group by shop, n
    ),

    escalation as (
        select
            load.domain,
            'chatwoot.escalations',
            case when bench.unit(seed, 33, bench.key(load.shop, day_index, load.n)) < 0.001
                 then jsonb_build_object('error', 'chatwoot timeout')
                 else coalesce(content.conversations, '[]') end,
            jsonb_build_object('slaMinutes', load.sla_minutes,
                               'count', coalesce(jsonb_array_length(content.conversations), 0),
                               'generatedAt', bench.iso(load.occurred_at))
                || case when load.has_telemetry then jsonb_build_object('breaches', coalesce(content.breaches, '[]')) else '{}' end,
            format('https://app.chatwoot.example/inbox/%s', load.shop),
            load.occurred_at
        from tile_load as load
        left join load_content as content on content.shop = load.shop and content.n = load.n
    ),

    -- the GA report: one a day for 40% of the shops, about 8% of its pages anomalous
    ga_report as (
        select
            shop.shop,
            shop.domain,
            (day_start + interval '6 hours' + bench.unit(seed, 40, bench.key(shop.shop, day_index, 0)) * interval '2 hours')::timestamp(3) as occurred_at
        from active_shop as shop
        where shop.has_ga
    ),

    ga_page as (
        select
            report.shop,
            page,
            bench.unit(seed, 41, bench.key(report.shop, day_index, page)) as kind_draw,
            round((bench.unit(seed, 42, bench.key(report.shop, day_index, page)) * 0.45 - 0.15)::numeric, 3) as wow_delta,
            bench.unit(seed, 43, bench.key(report.shop, day_index, page)) < 0.01 as is_malformed
        from ga_report as report
        cross join generate_series(0, 14) as page
    ),

    ga_content as (
        select
            shop,
            jsonb_agg(
                case
                    when is_malformed and page % 4 = 0 then jsonb_build_object('landingPage', format('/products/p-%s', page), 'sessions', 100, 'wowDelta', -0.3, 'isAnomaly', 'yes')
                    when is_malformed and page % 4 = 1 then jsonb_build_object('landingPage', format('/products/p-%s', page), 'sessions', 100, 'wowDelta', 'n/a')
                    when is_malformed and page % 4 = 2 then jsonb_build_object('landingPage', '', 'sessions', 100, 'wowDelta', -0.4, 'isAnomaly', true)
                    when is_malformed then to_jsonb('not measured'::text)
                    when kind_draw < 0.06 then jsonb_build_object('landingPage', format('/products/p-%s', page), 'sessions', 80 + page, 'wowDelta', -0.35, 'isAnomaly', true,
                                                                 'evidenceUrl', format('https://analytics.example/report/%s/%s', shop, page))
                    when kind_draw < 0.09 then jsonb_build_object('landingPage', format('/products/p-%s', page), 'sessions', 90 + page, 'wowDelta', -0.25)
                    else jsonb_build_object('landingPage', format('/products/p-%s', page), 'sessions', 300 + page * 7, 'wowDelta', wow_delta, 'isAnomaly', false)
                end order by page) as pages
        from ga_page
        group by shop
    ),

    ga as (
        select
            report.domain,
            'ga.sessions.anomalies',
            content.pages,
            jsonb_build_object(
                'propertyId', format('GA-%s', report.shop),
                'range', jsonb_build_object(
                    'start', to_char(day_start - interval '7 days', 'YYYY-MM-DD'),
                    'end', case when bench.unit(seed, 44, bench.key(report.shop, day_index, 0)) < 0.01 then 'yesterday'
                                else to_char(day_start - interval '1 day', 'YYYY-MM-DD') end),
                'generatedAt', bench.iso(report.occurred_at)),
            null,
            report.occurred_at
        from ga_report as report
        join ga_content as content on content.shop = report.shop
    ),

    fact as (
        select * from session
        union all select * from shopify
        union all select * from escalation
        union all select * from ga
    )

    select domain, fact_type, 'ops', value, metadata, evidence_url, occurred_at, occurred_at
    from fact
    order by occurred_at, domain, fact_type;

    insert into "DecisionLog" (scope, actor, action, rationale, "evidenceUrl", "shopDomain", "externalRef", payload, "createdAt")
    with shop as (
        select * from bench_shop where onboard_day <= day_index
    ),

    -- the operators' actions on conversations: reply (and sometimes approve the send, reply
    -- again, escalate), then mark resolved
    conversation_action as (
        select
            conversation.shop,
            conversation.conversation_id,
            step.action,
            step.occurred_at
        from bench_conversation as conversation
        cross join lateral (values
            (format('chatwoot.reply.tpl-%s', conversation.k + 1), conversation.replied_at, true),
            ('chatwoot.approve_send', conversation.replied_at + interval '2 minutes', conversation.delay_draw < 0.6),
            ('chatwoot.reply.tpl-9', conversation.replied_at + interval '3 hours', conversation.life_draw < 0.4),
            ('chatwoot.escalate', conversation.replied_at + interval '30 minutes', conversation.delay_draw > 0.9),
            ('chatwoot.mark_resolved', conversation.resolved_at, conversation.life_draw < 0.8)
        ) as step(action, occurred_at, happens)
        where conversation.replied_at is not null
          and step.happens
          and step.occurred_at >= day_start
          and step.occurred_at < day_start + interval '24 hours'
    ),

    chatwoot as (
        select
            'ops',
            shop.operator_email,
            action.action,
            'answered from the escalation tile',
            null,
            shop.domain,
            case when bench.unit(seed, 50, bench.key(action.shop, day_index, action.conversation_id % 1000000 * 10 + length(action.action))) < 0.01
                 then format('chatwoot:c%s', action.conversation_id)
                 else format('chatwoot:%s', action.conversation_id) end,
            jsonb_build_object('conversationId', action.conversation_id),
            action.occurred_at::timestamp(3)
        from conversation_action as action
        join shop on shop.shop = action.shop
    ),

    -- SEO assignments for the anomalies of the GA reports of the last 2 days
    assignment as (
        select
            'ops',
            shop.operator_email,
            'seo.assignment.content_refresh',
            'landing page lost sessions week over week',
            null,
            shop.domain,
            null,
            jsonb_build_object('landingPage', format('/products/p-%s', page), 'priority', 'high'),
            assigned_at
        from shop
        cross join generate_series(day_index - 2, day_index) as report_day
        cross join generate_series(0, 14) as page
        cross join lateral (
            select
                first_day + report_day + interval '6 hours' + bench.unit(seed, 40, bench.key(shop.shop, report_day, 0)) * interval '2 hours' as reported_at,
                bench.unit(seed, 41, bench.key(shop.shop, report_day, page)) as kind_draw,
                bench.unit(seed, 51, bench.key(shop.shop, report_day, page)) as response_draw
        ) as report
        cross join lateral (
            select (reported_at + case when response_draw < 0.5 then response_draw * interval '40 hours'
                                       else interval '26 hours' + response_draw * interval '10 hours' end)::timestamp(3) as assigned_at
        ) as assignment
        where shop.has_ga and shop.acts
          and report_day >= shop.onboard_day
          and report.kind_draw < 0.09
          and report.response_draw < 0.7
          and assigned_at >= day_start
          and assigned_at < day_start + interval '24 hours'
    ),

    -- other operator actions (no conversation) and build decisions (not operator actions)
    other as (
        select
            case when n < 7 then 'build' else 'ops' end,
            case when n < 7 then 'ci@deploy.example' else shop.operator_email end,
            case when n < 7 then (array['build.deploy', 'build.migrate', 'chatwoot.reply.tpl-1'])[1 + n % 3]
                 else (array['shopify.discount.create', 'shopify.product.update', 'shopify.inventory.adjust'])[1 + n % 3] end,
            bench.words(seed, bench.key(shop.shop, day_index, 300 + n)),
            format('https://ci.example/runs/%s', bench.key(shop.shop, day_index, n)),
            shop.domain,
            case when n % 3 = 2 and n < 7 then format('chatwoot:%s', shop.shop) end,
            jsonb_build_object('step', n),
            (day_start + bench.unit(seed, 52, bench.key(shop.shop, day_index, n)) * interval '24 hours')::timestamp(3)
        from shop
        cross join generate_series(0, 14) as n
        where n < 7 or shop.acts
    ),

    decision as (
        select * from chatwoot
        union all select * from assignment
        union all select * from other
    )

    select * from decision as d(scope, actor, action, rationale, evidence_url, shop_domain, external_ref, payload, occurred_at)
    order by occurred_at, shop_domain, action;
end
$function$;
