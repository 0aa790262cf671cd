-- Lenient parsing of the app's JSON (SPEC.md "Lenient parsing"): each function returns the
-- parsed value, or NULL when the input breaks the rule. They never raise, so one bad value
-- can neither fail a refresh nor hide the valid elements next to it. All are immutable and
-- independent of the session's TimeZone, which makes them usable in indexes.
-- Also the two formatting helpers the views and the refresh share.

-- An ISO-8601 instant: YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM], no zone = UTC, and a real
-- instant (2025-13-45 or 25:00 are rejected). PostgreSQL's own ::timestamptz cast is more
-- liberal (a space instead of T, words, local time zones), so it is not used.
-- The shape is checked with one regular expression whose match position is not needed
-- (PostgreSQL then runs its fast automaton; regexp_match with capture groups costs
-- milliseconds per call); metrics.instant_from_iso then reads the fields at their fixed
-- positions in PL/pgSQL, whose simple expressions skip the executor.
create function metrics.instant_from_iso(iso text)
returns timestamptz
language plpgsql
immutable strict parallel safe
as $$
declare
    zone_length constant integer := case
        when right(iso, 1) = 'Z' then 1
        when substr(iso, length(iso) - 5, 1) in ('+', '-') then 6
        else 0
    end;
    year_part constant integer := substr(iso, 1, 4)::integer;
    month_part constant integer := substr(iso, 6, 2)::integer;
    day_part constant integer := substr(iso, 9, 2)::integer;
    hour_part constant integer := substr(iso, 12, 2)::integer;
    minute_part constant integer := substr(iso, 15, 2)::integer;
    -- at most 9 fraction digits: more cannot change a microsecond, and a long run of zeros
    -- would underflow double precision
    seconds_part constant double precision := (substr(iso, 18, 2) || substr(iso, 20, least(10, length(iso) - 19 - zone_length)))::double precision;
    offset_hours constant integer := case when zone_length = 6 then substr(iso, length(iso) - 4, 2)::integer else 0 end;
    offset_minutes constant integer := case when zone_length = 6 then right(iso, 2)::integer else 0 end;
    offset_sign constant integer := case when zone_length = 6 and substr(iso, length(iso) - 5, 1) = '-' then -1 else 1 end;
begin
    if year_part < 1 or month_part not between 1 and 12
        or hour_part > 23 or minute_part > 59 or seconds_part >= 60
        or offset_hours > 15 or offset_minutes > 59 then
        return null;
    end if;
    if day_part < 1 or day_part > extract(day from make_date(year_part, month_part, 1) + interval '1 month - 1 day') then
        return null;
    end if;
    return make_timestamp(year_part, month_part, day_part, hour_part, minute_part, seconds_part)
        at time zone make_interval(hours => offset_sign * offset_hours, mins => offset_sign * offset_minutes);
end
$$;

comment on function metrics.instant_from_iso(text) is
    'Internal to metrics.parse_instant: the instant of a string already known to have the shape YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM], or NULL when its fields name no real instant.';

create function metrics.parse_instant(candidate jsonb)
returns timestamptz
language sql
immutable strict parallel safe
as $$
    select case
        when jsonb_typeof(candidate) <> 'string' then null
        when not (candidate #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$') then null
        else metrics.instant_from_iso(candidate #>> '{}')
    end
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
        when jsonb_typeof(candidate) <> 'string' then null
        when not (candidate #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') then null
        else (metrics.instant_from_iso((candidate #>> '{}') || 'T00:00:00Z') at time zone 'UTC')::date
    end
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
        when candidate ~ '^[0-9]+$'
            and length(ltrim(candidate, '0')) <= 19
            and ('0' || ltrim(candidate, '0'))::numeric <= 9223372036854775807
            then ('0' || ltrim(candidate, '0'))::bigint
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
    select case when external_ref ~ '^chatwoot:[0-9]+$' then metrics.parse_digits(substr(external_ref, 10)) end
$$;

comment on function metrics.parse_external_ref(text) is
    'The conversation id a DecisionLog "externalRef" refers to when it matches ^chatwoot:([0-9]+)$ (chatwoot:0042 = 42); NULL otherwise. Never raises.';

-- Whether a shop domain is missing: NULL, empty or only whitespace. Whitespace is the set
-- JavaScript's trim() removes (the app is a Node app), listed explicitly so the answer does
-- not depend on the database's collation.
create function metrics.is_blank(candidate text)
returns boolean
language sql
immutable parallel safe
as $$
    select candidate is null
        or candidate !~ '[^ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
$$;

comment on function metrics.is_blank(text) is
    'True for NULL, empty and whitespace-only text (whitespace as JavaScript''s trim() understands it); rows of such shops are ignored.';

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

-- A rate as the facts and the daily series write it: part / whole rounded half away from
-- zero to 4 decimals, without trailing zeros (0.25, not 0.2500); 0 when whole is 0.
create function metrics.rate(part bigint, whole bigint)
returns numeric
language sql
immutable strict parallel safe
as $$
    select case when whole = 0 then 0 else trim_scale(round(part::numeric / whole, 4)) end
$$;

comment on function metrics.rate(bigint, bigint) is
    'part / whole rounded to 4 decimals (half away from zero, trailing zeros trimmed); 0 when whole is 0. The activation and response rates of the facts and daily series.';

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
