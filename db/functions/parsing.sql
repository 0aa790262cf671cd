-- Lenient parsing of the app's JSON (docs/metrics.md, "Lenient parsing"): each function returns
-- the parsed value, or NULL when the input breaks the rule. They never raise, so one bad value
-- can neither fail a refresh nor hide the valid elements next to it, and they do not depend on
-- the session's TimeZone. They are plain SQL expressions that PostgreSQL inlines into the
-- statements that call them (a STRICT or PL/pgSQL function would be called per value).

create or replace function metrics.instant_from_iso(iso text)
returns timestamptz
language sql
stable parallel safe
as $$
    select case
        when iso !~ '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-](0[0-9]|1[0-5]):[0-5][0-9])?$' then null
        -- the 29th to 31st of a month too short for it (2025-02-29, 2025-04-31)
        when substr(iso, 9, 2) > '28' collate "C"
            and substr(iso, 9, 2)::integer > extract(day from make_date(substr(iso, 1, 4)::integer, substr(iso, 6, 2)::integer, 1) + interval '1 month - 1 day')
            then null
        -- up to 9 fraction digits (more cannot change a microsecond), with a zone
        when right(iso, 1) = 'Z' and length(iso) <= 30 then iso::timestamptz
        when substr(iso, length(iso) - 5, 1) in ('+', '-') and length(iso) <= 35 then iso::timestamptz
        when length(iso) <= 29 then (iso || 'Z')::timestamptz
        -- more fraction digits: the first 9 (a long run could underflow the input routine)
        else (left(iso, 29) || case when substr(iso, length(iso) - 5, 1) in ('+', '-') then right(iso, 6) else 'Z' end)::timestamptz
    end
$$;

comment on function metrics.instant_from_iso(text) is
    'The instant of an ISO-8601 string YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM] (no zone = UTC) naming a real instant, else NULL. Internal to metrics.parse_instant and metrics.parse_date. Never raises.';

create or replace function metrics.parse_instant(candidate jsonb)
returns timestamptz
language sql
stable parallel safe
as $$
    select case when jsonb_typeof(candidate) = 'string' then metrics.instant_from_iso(candidate #>> '{}') end
$$;

comment on function metrics.parse_instant(jsonb) is
    'A JSON timestamp as timestamptz, or NULL unless it is an ISO-8601 string YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM] (no zone = UTC) naming a real instant. Never raises.';

create or replace function metrics.parse_date(candidate jsonb)
returns date
language sql
stable parallel safe
as $$
    select case
        when jsonb_typeof(candidate) = 'string' and candidate #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
            then (metrics.instant_from_iso((candidate #>> '{}') || 'T00:00:00Z') at time zone 'UTC')::date
    end
$$;

comment on function metrics.parse_date(jsonb) is
    'A JSON string YYYY-MM-DD naming a real date, as date; NULL for anything else. Never raises.';

create or replace function metrics.parse_digits(candidate text)
returns bigint
language sql
immutable parallel safe
as $$
    select case
        when candidate ~ '^[0-9]+$'
            and (length(ltrim(candidate, '0')) < 19
                or length(ltrim(candidate, '0')) = 19 and ltrim(candidate, '0') <= '9223372036854775807' collate "C")
            then ('0' || ltrim(candidate, '0'))::bigint
    end
$$;

comment on function metrics.parse_digits(text) is
    'A string of ASCII digits as bigint (leading zeros allowed); NULL when it holds anything else or exceeds bigint. Never raises.';

-- A JSON number is read as numeric (jsonb keeps the written scale: 1.0 has scale 1), which
-- is cheaper than printing it and matching digits.
create or replace function metrics.parse_conversation_id(candidate jsonb)
returns bigint
language sql
immutable parallel safe
as $$
    select case jsonb_typeof(candidate)
        when 'number' then case
            when scale(candidate::numeric) = 0 and candidate::numeric between 0 and 9223372036854775807
                then candidate::numeric::bigint
        end
        when 'string' then metrics.parse_digits(candidate #>> '{}')
    end
$$;

comment on function metrics.parse_conversation_id(jsonb) is
    'A JSON conversation id as bigint: a number with no fractional part written (42) or a string of ASCII digits ("0042" = 42); NULL otherwise (1.5, 1.0, "12a", negative). Never raises.';

create or replace function metrics.parse_external_ref(external_ref text)
returns bigint
language sql
immutable parallel safe
as $$
    select case when starts_with(external_ref, 'chatwoot:') then metrics.parse_digits(substr(external_ref, 10)) end
$$;

comment on function metrics.parse_external_ref(text) is
    'The conversation id a DecisionLog "externalRef" refers to when it matches ^chatwoot:([0-9]+)$ (chatwoot:0042 = 42); NULL otherwise. Never raises.';

create or replace function metrics.parse_number(candidate jsonb)
returns numeric
language sql
immutable parallel safe
as $$
    select case when jsonb_typeof(candidate) = 'number' then candidate::numeric end
$$;

comment on function metrics.parse_number(jsonb) is
    'A JSON number as numeric; NULL for strings, booleans, null and other JSON types. Never raises.';

-- The SLA rule, written once (also used by metrics.backfill_chatwoot): metadata.slaMinutes as
-- an interval, when it is a JSON number of at most 1e9 minutes in size (beyond that
-- createdAt + slaMinutes can leave PostgreSQL's timestamp range), to the microsecond.
create or replace function metrics.sla_interval(sla_minutes jsonb)
returns interval
language sql
immutable parallel safe
as $$
    select case
        when abs(metrics.parse_number(sla_minutes)) <= 1000000000
            then make_interval(secs => round(metrics.parse_number(sla_minutes) * 60, 6)::double precision)
    end
$$;

comment on function metrics.sla_interval(jsonb) is
    'metadata.slaMinutes of a chatwoot.escalations row as an interval (to the microsecond), or NULL unless it is a JSON number of at most 1e9 in absolute value. Never raises.';

-- Whether a shop domain is missing: NULL, empty or only whitespace. Whitespace is the set
-- JavaScript's trim() removes (the app is a Node app), listed explicitly so the answer does
-- not depend on the database's collation.
create or replace function metrics.is_blank(candidate text)
returns boolean
language sql
immutable parallel safe
as $$
    select candidate is null
        or candidate !~ '[^ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
$$;

comment on function metrics.is_blank(text) is
    'True for NULL, empty and whitespace-only text (whitespace as JavaScript''s trim() understands it); rows of such shops are ignored.';
