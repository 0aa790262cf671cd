-- Lenient parsing of the app's JSON (SPEC.md "Lenient parsing"): each function returns the
-- parsed value, or NULL when the input breaks the rule. They never raise, so one bad value
-- can neither fail a refresh nor hide the valid elements next to it. All are immutable and
-- independent of the session's TimeZone, which makes them usable in indexes.
-- Also the two formatting helpers the views and the refresh share.

-- An ISO-8601 instant: YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM], no zone = UTC, and a real
-- instant (2025-13-45 or 25:00 are rejected). PostgreSQL's own ::timestamptz cast is more
-- liberal (a space instead of T, words, local time zones), so it is not used.
create function metrics.parse_instant(candidate jsonb)
returns timestamptz
language sql
immutable strict parallel safe
as $$
    select case
        when part is null then null
        when part[1]::int < 1 then null
        when part[2]::int not between 1 and 12 then null
        when part[3]::int < 1
            or part[3]::int > extract(day from make_date(part[1]::int, part[2]::int, 1) + interval '1 month - 1 day') then null
        when part[4]::int > 23 or part[5]::int > 59 or part[6]::int > 59 then null
        when part[10]::int > 15 or part[11]::int > 59 then null
        else make_timestamp(
                part[1]::int, part[2]::int, part[3]::int, part[4]::int, part[5]::int,
                (part[6] || coalesce(part[7], ''))::double precision)
            at time zone make_interval(
                hours => coalesce(part[10]::int, 0) * case part[9] when '-' then -1 else 1 end,
                mins => coalesce(part[11]::int, 0) * case part[9] when '-' then -1 else 1 end)
    end
    from (
        select regexp_match(
            candidate #>> '{}',
            '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|([+-])([0-9]{2}):([0-9]{2}))?$')
        where jsonb_typeof(candidate) = 'string'
    ) as parsed(part)
$$;

comment on function metrics.parse_instant(jsonb) is
    'A JSON timestamp as timestamptz, or NULL unless it is an ISO-8601 string YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM] (no zone = UTC) naming a real instant. Never raises.';

-- A calendar date written YYYY-MM-DD (metadata.range.end of GA anomaly rows).
create function metrics.parse_date(candidate jsonb)
returns date
language sql
immutable strict parallel safe
as $$
    select case
        when part is null or part[1]::int < 1 or part[2]::int not between 1 and 12 then null
        when part[3]::int < 1
            or part[3]::int > extract(day from make_date(part[1]::int, part[2]::int, 1) + interval '1 month - 1 day') then null
        else make_date(part[1]::int, part[2]::int, part[3]::int)
    end
    from (
        select regexp_match(candidate #>> '{}', '^([0-9]{4})-([0-9]{2})-([0-9]{2})$')
        where jsonb_typeof(candidate) = 'string'
    ) as parsed(part)
$$;

comment on function metrics.parse_date(jsonb) is
    'A JSON string YYYY-MM-DD naming a real date, as date; NULL for anything else. Never raises.';

-- ASCII digits as a bigint; NULL when empty, not all digits, or beyond bigint.
create function metrics.parse_digits(candidate text)
returns bigint
language sql
immutable strict parallel safe
as $$
    select case
        when candidate ~ '^[0-9]+$' and candidate::numeric <= 9223372036854775807 then candidate::bigint
    end
$$;

comment on function metrics.parse_digits(text) is
    'A string of ASCII digits as bigint (leading zeros allowed); NULL when it holds anything else or exceeds bigint. Never raises.';

-- A Chatwoot conversation id: a JSON number written without a fractional part (42, not 1.5
-- or 1.0) or a JSON string of ASCII digits ("123", not "12a"). Negative numbers are
-- rejected: no "externalRef" (chatwoot:<digits>) could ever refer to them.
create function metrics.parse_conversation_id(candidate jsonb)
returns bigint
language sql
immutable strict parallel safe
as $$
    select case jsonb_typeof(candidate)
        when 'number' then metrics.parse_digits(candidate::text)
        when 'string' then metrics.parse_digits(candidate #>> '{}')
    end
$$;

comment on function metrics.parse_conversation_id(jsonb) is
    'A JSON conversation id as bigint: a number with no fractional part written (42) or a string of ASCII digits ("0042" = 42); NULL otherwise (1.5, 1.0, "12a", negative). Never raises.';

-- The conversation a DecisionLog "externalRef" refers to: chatwoot:<digits>, compared as a
-- number (chatwoot:0042 is conversation 42).
create function metrics.parse_external_ref(external_ref text)
returns bigint
language sql
immutable strict parallel safe
as $$
    select metrics.parse_digits(substring(external_ref from '^chatwoot:([0-9]+)$'))
$$;

comment on function metrics.parse_external_ref(text) is
    'The conversation id a DecisionLog "externalRef" refers to when it matches ^chatwoot:([0-9]+)$ (chatwoot:0042 = 42); NULL otherwise. Never raises.';

-- A JSON number as numeric; NULL for any other JSON type.
create function metrics.parse_number(candidate jsonb)
returns numeric
language sql
immutable strict parallel safe
as $$
    select case when jsonb_typeof(candidate) = 'number' then candidate::numeric end
$$;

comment on function metrics.parse_number(jsonb) is
    'A JSON number as numeric; NULL for strings, booleans, null and other JSON types. Never raises.';

-- percentile_cont computed in exact numeric arithmetic. The built-in percentile_cont works
-- on double precision, whose binary rounding can flip a value such as 10.005 when it is
-- rounded to 2 decimals; SPEC.md asks for rounding of the exact value.
create function metrics.interpolated_percentile(sample numeric[], fraction numeric)
returns numeric
language sql
immutable parallel safe
as $$
    with ordered as (
        select value, row_number() over (order by value) - 1 as position
        from unnest(sample) as value
        where value is not null
    ),
    target as (
        select fraction * (count(*) - 1) as position from ordered
    )
    select lower_value.value + (target.position - floor(target.position)) * (upper_value.value - lower_value.value)
    from target
    inner join ordered as lower_value on lower_value.position = floor(target.position)
    inner join ordered as upper_value on upper_value.position = ceil(target.position)
$$;

comment on function metrics.interpolated_percentile(numeric[], numeric) is
    'The same value as percentile_cont(fraction) over the non-null elements, computed in exact numeric arithmetic; NULL for an empty sample.';

-- An instant as the facts write it: ISO-8601 UTC with milliseconds and Z.
create function metrics.format_instant(instant timestamptz)
returns text
language sql
immutable strict parallel safe
as $$
    select to_char(instant at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

comment on function metrics.format_instant(timestamptz) is
    'An instant as ISO-8601 UTC text with milliseconds and Z (2025-10-05T00:00:00.000Z), the format of the facts'' windowStart, windowEnd and generatedAt.';
