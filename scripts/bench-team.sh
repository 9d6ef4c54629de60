#!/usr/bin/env bash
# Team server on loopback: FEEDS fixture feeds (25 real ar/fa/en items each, examples/fixture_server)
# fetched into a throwaway PostgreSQL by one and then by two `parallax serve --worker` processes,
# grouped by one `parallax serve --no-fetch` (no model: grouping by shared words and names).
# Prints, per run: items stored per second, feed→story lag (median and p95 of item stored →
# assigned to a story), worker CPU and peak memory, database size per 100k items (the growth over
# the migrated, source-only database). The fixture corpus is a few thousand distinct items, so
# more feeds repeat items (stored once, by canonical URL) rather than add new ones.
# Usage: scripts/bench-team.sh [FEEDS]   (default 1000)
#
# Replay mode, the issue's load: scripts/bench-team.sh replay [FEEDS] [CYCLES] [CYCLE_SECS]
# (default 20000 feeds, 4 cycles of 90 s: a 15-minute cycle replayed at 10x). FEEDS feeds of the
# real headlines in ../shared/data (fixture_server --replay), each gaining one new item per cycle,
# the feeds spread evenly over the cycle; every source refreshes every CYCLE_SECS. Each new item
# is dated the second it appears, so lag is measured from publication: published → stored
# (waiting for the feed's next fetch, then fetch + parse + store), stored → in a story (grouping),
# and in all. Per run (one, then two workers): items/s stored against items/s published, feeds
# more than a cycle overdue at the end (the backlog), CPU and memory of the workers, the grouping
# server, PostgreSQL (PSS, so shared buffers count once) and the fixture server, and database
# size per 100k items. The run is bounded: CYCLES cycles, then at most 180 s for grouping to
# finish.
# Needs: cargo build --release -p parallax --bin parallax --example fixture_server
set -euo pipefail
cd "$(dirname "$0")/.."
mode=fetch
if [ "${1:-}" = replay ]; then
  mode=replay
  shift
  feeds=${1:-20000}
  cycles=${2:-4}
  cycle=${3:-90}
  data=${PARALLAX_DATA:-../shared/data}
  [ -d "$data" ] || { echo "bench-team: replay needs the shared data folder ($data)" >&2; exit 1; }
else
  feeds=${1:-1000}
fi
release=${CARGO_TARGET_DIR:-target}/release
parallax=$release/parallax
fixture=$release/examples/fixture_server
for b in "$parallax" "$fixture"; do
  [ -x "$b" ] || { echo "bench-team: $b missing (cargo build --release -p parallax --bin parallax --example fixture_server)" >&2; exit 1; }
done
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || { echo "bench-team: PostgreSQL is not installed" >&2; exit 1; }

dir=$(mktemp -d)
as=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$dir"
  as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  exec 3>&- 2>/dev/null || true
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as[@]}" "$pgbin/initdb" -D "$dir/data" -U parallax --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
psql() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U parallax -At "$@"; }

now() { date +%s.%N; }
# utime+stime of a process, in seconds.
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14+$15)/t}' "/proc/$1/stat"; }
peak_mb() { awk '/VmHWM/ {print $2/1024}' "/proc/$1/status"; }

if [ "$mode" = replay ]; then
  pg_pid=$(head -1 "$dir/data/postmaster.pid")
  # CPU-s of PostgreSQL: the postmaster, its live children, and the children it has reaped.
  pg_cpu() {
    local t; t=$(getconf CLK_TCK)
    { awk '{print ($14+$15+$16+$17)}' "/proc/$pg_pid/stat"
      for c in $(pgrep -P "$pg_pid"); do awk '{print ($14+$15)}' "/proc/$c/stat" 2>/dev/null || true; done
    } | awk -v t="$t" '{s+=$1} END {print s/t}'
  }
  # Proportional set size of PostgreSQL (shared buffers counted once), MB.
  pg_pss() {
    { awk '/^Pss:/ {print $2}' "/proc/$pg_pid/smaps_rollup"
      for c in $(pgrep -P "$pg_pid"); do awk '/^Pss:/ {print $2}' "/proc/$c/smaps_rollup" 2>/dev/null || true; done
    } | awk '{s+=$1} END {print s/1024}'
  }
  echo "bench-team replay: $feeds feeds, one new item per feed every $cycle s (a 15-minute cycle at $((900 / cycle))x), $cycles cycles per run; PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
  for workers in 1 2; do
    db=replay_$workers
    psql -d postgres -c "CREATE DATABASE $db" >/dev/null
    url="postgres://parallax@127.0.0.1:$port/$db"
    rm -f "$dir/fx.in" "$dir/fx.json"
    mkfifo "$dir/fx.in"
    "$fixture" --replay "$data" --bench "$feeds" --cycle "$cycle" --ports 8 <"$dir/fx.in" >"$dir/fx.json" 2>"$dir/fx.log" &
    fx=$!; pids+=($fx)
    exec 3>"$dir/fx.in"
    for _ in $(seq 600); do [ -s "$dir/fx.json" ] && break; sleep 0.1; done
    [ -s "$dir/fx.json" ] || { echo "bench-team: the fixture server did not start: $(cat "$dir/fx.log")" >&2; exit 1; }
    python3 - "$dir/fx.json" "$dir/feeds.opml" "$cycle" <<'PY'
import json, sys
from xml.sax.saxutils import quoteattr
urls = json.loads(open(sys.argv[1]).readline())["bench"]
with open(sys.argv[2], "w") as f:
    f.write('<?xml version="1.0"?><opml version="2.0"><head><title>replay</title></head><body>\n')
    for i, u in enumerate(urls):
        f.write(f'<outline type="rss" text="Replay {i}" xmlUrl={quoteattr(u)} category="/parallax/refresh/{sys.argv[3]}"/>\n')
    f.write("</body></opml>\n")
PY
    ti=$(now)
    PARALLAX_MODEL=/nonexistent "$parallax" --pg "$url" sources import "$dir/feeds.opml" >/dev/null
    echo "  run $workers: imported $feeds sources in $(printf '%.0f' "$(echo "$(now) - $ti" | bc -l)") s"
    base=$(psql -d "$db" -c "SELECT pg_database_size('$db')")
    PARALLAX_MODEL=/nonexistent "$parallax" serve --pg "$url" --no-fetch --listen 127.0.0.1:0 2>"$dir/serve-r$workers.log" &
    grouper=$!; pids+=($grouper)
    pgc0=$(pg_cpu)
    echo start >&3
    t0=$(now)
    run=()
    for _ in $(seq "$workers"); do
      PARALLAX_MODEL=/nonexistent "$parallax" serve --pg "$url" --worker 2>>"$dir/worker-r$workers.log" &
      run+=($!); pids+=($!)
    done
    sleep $((cycles * cycle))
    t1=$(now)
    secs=$(echo "$t1 - $t0" | bc -l)
    items=$(psql -d "$db" -c "SELECT count(*) FROM items")
    published=$(tail -1 "$dir/fx.json" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("published", 0))')
    initial=$(sed -n 2p "$dir/fx.json" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("published", 0))')
    overdue=$(psql -d "$db" -c "SELECT count(*) FROM fetch_jobs WHERE due_at < now() - make_interval(secs => $cycle)")
    fetches=$(psql -d "$db" -c "SELECT coalesce(sum(done), 0) FROM fetch_jobs")
    wcpu=0; wmem=0
    for p in "${run[@]}"; do
      wcpu=$(echo "$wcpu + $(cpu "$p")" | bc -l)
      wmem=$(echo "$wmem + $(peak_mb "$p")" | bc -l)
    done
    pgc1=$(pg_cpu); pss=$(pg_pss)
    fxcpu=$(cpu "$fx")
    for p in "${run[@]}"; do kill "$p"; done
    exec 3>&-
    # Grouping finishes what was stored (bounded wait).
    for _ in $(seq 360); do
      [ "$(psql -d "$db" -c "SELECT count(*) FROM items i LEFT JOIN story_items s ON s.item_id = i.id WHERE s.item_id IS NULL")" = 0 ] && break
      sleep 0.5
    done
    t2=$(now)
    ungrouped=$(psql -d "$db" -c "SELECT count(*) FROM items i LEFT JOIN story_items s ON s.item_id = i.id WHERE s.item_id IS NULL")
    gcpu=$(cpu "$grouper"); gmem=$(peak_mb "$grouper")
    kill "$grouper"
    # Lags of the items that appeared during the run (not the first batch, all out at the start).
    lag() {
      psql -d "$db" -c "SELECT coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY l)::numeric, 1)::text, '-') || ' s median, ' || coalesce(round(percentile_cont(0.95) WITHIN GROUP (ORDER BY l)::numeric, 1)::text, '-') || ' s p95 (' || count(*) || ' items)' FROM (SELECT extract(epoch FROM $1) AS l FROM items i LEFT JOIN story_items s ON s.item_id = i.id WHERE i.published::timestamptz > to_timestamp($t0) + interval '2 s' AND $2) x"
    }
    lag_fetch=$(lag "i.fetched_at::timestamptz - i.published::timestamptz" true)
    lag_group=$(lag "s.assigned_at::timestamptz - i.fetched_at::timestamptz" "s.item_id IS NOT NULL")
    lag_all=$(lag "s.assigned_at::timestamptz - i.published::timestamptz" "s.item_id IS NOT NULL")
    size=$(psql -d "$db" -c "SELECT pg_database_size('$db')")
    printf '%d worker(s), %.0f s: %d items published (%d at the start, then %.1f/s), %d stored = %.1f items/s; %d feed fetches = %.1f/s (the cycle needs %.1f/s); %d of %d feeds more than a cycle overdue at the end\n' \
      "$workers" "$secs" "$published" "$initial" "$(echo "($published - $initial) / $secs" | bc -l)" "$items" "$(echo "$items / $secs" | bc -l)" \
      "$fetches" "$(echo "$fetches / $secs" | bc -l)" "$(echo "$feeds / $cycle" | bc -l)" "$overdue" "$feeds"
    echo "   lag published → stored: $lag_fetch"
    echo "   lag stored → in a story: $lag_group"
    echo "   lag published → in a story: $lag_all; grouping finished $(printf '%.0f' "$(echo "$t2 - $t1" | bc -l)") s after the fetching stopped, $ungrouped items left ungrouped"
    printf '   CPU-s over the run: workers %.0f (%.0f%% of one core), PostgreSQL %.0f, grouping server %.0f (incl. the drain), fixture server %.0f; memory: workers %.0f MB peak RSS in all, grouping server %.0f MB, PostgreSQL %.0f MB PSS\n' \
      "$wcpu" "$(echo "100 * $wcpu / $secs" | bc -l)" "$(echo "$pgc1 - $pgc0" | bc -l)" "$gcpu" "$fxcpu" "$wmem" "$gmem" "$pss"
    printf '   database %.1f MB, %.1f MB more than with no items = %.0f MB per 100k items\n' \
      "$(echo "$size / 1048576" | bc -l)" "$(echo "($size - $base) / 1048576" | bc -l)" "$(echo "($size - $base) / 1048576 * 100000 / $items" | bc -l)"
    kill "$fx" 2>/dev/null || true
    wait "$fx" 2>/dev/null || true
  done
  exit 0
fi

# The fixture server runs until its standard input closes (fd 3 here, closed on exit).
mkfifo "$dir/fx.in"
"$fixture" --bench "$feeds" --ports 8 <"$dir/fx.in" >"$dir/fx.json" 2>"$dir/fx.log" &
pids+=($!)
exec 3>"$dir/fx.in"
for _ in $(seq 100); do [ -s "$dir/fx.json" ] && break; sleep 0.1; done
python3 - "$dir/fx.json" "$dir/feeds.opml" <<'PY'
import json, sys
from xml.sax.saxutils import quoteattr
urls = json.loads(open(sys.argv[1]).readline())["bench"]
with open(sys.argv[2], "w") as f:
    f.write('<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>\n')
    for i, u in enumerate(urls):
        f.write(f'<outline type="rss" text="Bench {i}" xmlUrl={quoteattr(u)}/>\n')
    f.write("</body></opml>\n")
PY


echo "bench-team: $feeds feeds, PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), $(nproc) cores"
for workers in 1 2; do
  db=bench_$workers
  psql -d postgres -c "CREATE DATABASE $db" >/dev/null
  url="postgres://parallax@127.0.0.1:$port/$db"
  PARALLAX_MODEL=/nonexistent "$parallax" --pg "$url" sources import "$dir/feeds.opml" >/dev/null
  base=$(psql -d "$db" -c "SELECT pg_database_size('$db')")
  PARALLAX_MODEL=/nonexistent "$parallax" serve --pg "$url" --no-fetch --listen 127.0.0.1:0 2>"$dir/serve-$workers.log" &
  grouper=$!; pids+=($grouper)
  run=()
  t0=$(now)
  for _ in $(seq "$workers"); do
    PARALLAX_MODEL=/nonexistent "$parallax" serve --pg "$url" --worker 2>>"$dir/worker-$workers.log" &
    run+=($!); pids+=($!)
  done
  until [ "$(psql -d "$db" -c "SELECT count(*) FROM fetch_jobs WHERE done > 0")" -ge "$feeds" ]; do sleep 0.2; done
  t1=$(now)
  wcpu=0; wmem=0
  for p in "${run[@]}"; do
    wcpu=$(echo "$wcpu + $(cpu "$p")" | bc -l)
    wmem=$(echo "$wmem + $(peak_mb "$p")" | bc -l)
    kill "$p"
  done
  items=$(psql -d "$db" -c "SELECT count(*) FROM items")
  until [ "$(psql -d "$db" -c "SELECT count(*) FROM story_items")" -ge "$items" ]; do sleep 0.5; done
  t2=$(now)
  lag=$(psql -d "$db" -c "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY l)::numeric, 1) || ' s median, ' || round(percentile_cont(0.95) WITHIN GROUP (ORDER BY l)::numeric, 1) || ' s p95' FROM (SELECT extract(epoch FROM s.assigned_at::timestamptz - i.fetched_at::timestamptz) AS l FROM items i JOIN story_items s ON s.item_id = i.id) x")
  size=$(psql -d "$db" -c "SELECT pg_database_size('$db')")
  gcpu=$(cpu "$grouper"); gmem=$(peak_mb "$grouper")
  kill "$grouper"
  fetch_s=$(echo "$t1 - $t0" | bc -l)
  printf '%d worker(s): %d items from %d feeds stored in %.1f s = %.0f items/s; all grouped %.1f s after the last fetch; feed→story lag %s\n' \
    "$workers" "$items" "$feeds" "$fetch_s" "$(echo "$items / $fetch_s" | bc -l)" "$(echo "$t2 - $t1" | bc -l)" "$lag"
  printf '   workers: %.1f CPU-s (%.0f%% of one core), %.0f MB peak RSS in all; grouping server: %.1f CPU-s, %.0f MB peak RSS; database %.1f MB, %.1f MB more than with no items = %.0f MB per 100k items\n' \
    "$wcpu" "$(echo "100 * $wcpu / $fetch_s" | bc -l)" "$wmem" "$gcpu" "$gmem" "$(echo "$size / 1048576" | bc -l)" "$(echo "($size - $base) / 1048576" | bc -l)" "$(echo "($size - $base) / 1048576 * 100000 / $items" | bc -l)"
done
