-- The numbers and instants as the facts and the daily series write them, written once.

-- percentile_cont computed in exact numeric arithmetic. The built-in percentile_cont works
-- on double precision, whose binary rounding can flip a value such as 10.005 when it is
-- rounded to 2 decimals; docs/metrics.md asks for rounding of the exact value.
create or replace function metrics.interpolated_percentile(sample numeric[], fraction numeric)
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
create or replace function metrics.rate(part bigint, whole bigint)
returns numeric
language sql
immutable strict parallel safe
as $$
    select case when whole = 0 then 0 else trim_scale(round(part::numeric / whole, 4)) end
$$;

comment on function metrics.rate(bigint, bigint) is
    'part / whole rounded to 4 decimals (half away from zero, trailing zeros trimmed); 0 when whole is 0. The activation and response rates of the facts and daily series.';

-- An instant as the facts write it: ISO-8601 UTC with milliseconds and Z.
create or replace function metrics.format_instant(instant timestamptz)
returns text
language sql
immutable strict parallel safe
as $$
    select to_char(instant at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

comment on function metrics.format_instant(timestamptz) is
    'An instant as ISO-8601 UTC text with milliseconds and Z (2025-10-05T00:00:00.000Z), the format of the facts'' windowStart, windowEnd and generatedAt.';
