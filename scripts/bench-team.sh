#!/usr/bin/env bash
# Team server on loopback: FEEDS fixture feeds (25 real ar/fa/en items each, examples/fixture_server)
# fetched into a throwaway PostgreSQL by one and then by two `parallax serve --worker` processes,
# grouped by one `parallax serve --no-fetch` (no model: grouping by shared words and names).
# Prints, per run: items stored per second, feed→story lag (median and p95 of item stored →
# assigned to a story), worker CPU and peak memory, database size per 100k items (the growth over
# the migrated, source-only database). The fixture corpus is a few thousand distinct items, so
# more feeds repeat items (stored once, by canonical URL) rather than add new ones.
# Usage: scripts/bench-team.sh [FEEDS]   (default 1000)
# Needs: cargo build --release -p parallax --bin parallax --example fixture_server
set -euo pipefail
cd "$(dirname "$0")/.."
feeds=${1:-1000}
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

now() { date +%s.%N; }
# utime+stime of a process, in seconds.
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14+$15)/t}' "/proc/$1/stat"; }
peak_mb() { awk '/VmHWM/ {print $2/1024}' "/proc/$1/status"; }

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
