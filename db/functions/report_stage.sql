-- A stage's progress line (RAISE NOTICE: psql shows it, the metrics runner prints it on stderr),
-- "parsed 68,894 app rows in 2.1 s"; returns the instant the next stage starts.
create or replace function metrics_staging.report_stage(done text, stage_started_at timestamptz)
returns timestamptz
language plpgsql
volatile
as $function$
declare
    elapsed constant numeric := extract(epoch from clock_timestamp() - stage_started_at);
begin
    raise notice '% in %', done,
        case when elapsed < 1 then round(elapsed * 1000) || ' ms' else round(elapsed, 1) || ' s' end;
    return clock_timestamp();
end
$function$;

comment on function metrics_staging.report_stage(text, timestamptz) is
    'Internal to metrics.refresh: raises the NOTICE "<done> in <elapsed>" that reports a finished stage (the metrics runner prints it on stderr) and returns the instant the next stage starts.';
