#!/usr/bin/env bash
# The API at team scale on both back ends: `parallax bench scale` replicates a real archive (from
# `parallax bench archive`) to ITEMS items into a SQLite file and into a throwaway PostgreSQL
# (Debian's package, started here in a temporary directory on a free port, default settings but
# fsync off), then times the calls the app makes on both: median and p95, side by side.
# Usage: scripts/bench-scale.sh ARCHIVE [ITEMS] [RUNS]   (default 1000000 items, 30 runs)
#   KEEP=DIR keeps the SQLite archive and the PostgreSQL cluster in DIR (rerun with the same DIR
#   to time them again without rebuilding); without it both are removed at the end.
# Needs: cargo build --release -p parallax --bin parallax; the model for search by meaning
#   (`parallax model install`), or NO_MEANING=1.
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:?usage: scripts/bench-scale.sh ARCHIVE [ITEMS] [RUNS]}
items=${2:-1000000}
runs=${3:-30}
parallax=${CARGO_TARGET_DIR:-target}/release/parallax
[ -x "$parallax" ] || { echo "bench-scale: $parallax missing (cargo build --release -p parallax --bin parallax)" >&2; exit 1; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || { echo "bench-scale: PostgreSQL is not installed" >&2; exit 1; }

if [ -n "${KEEP:-}" ]; then
  dir=$KEEP
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
fi
as=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$dir"
  as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
cleanup() {
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reuse=()
if [ -d "$dir/data" ]; then
  reuse=(--reuse)
else
  "${as[@]}" "$pgbin/initdb" -D "$dir/data" -U parallax --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
fi
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" \
  start >/dev/null
[ ${#reuse[@]} -gt 0 ] || "$pgbin/psql" -h 127.0.0.1 -p "$port" -U parallax -d postgres -qc "CREATE DATABASE scale"
meaning=()
[ -z "${NO_MEANING:-}" ] || meaning=(--no-meaning)
echo "bench-scale: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load average $(cut -d' ' -f1 /proc/loadavg)"
"$parallax" --pg "postgres://parallax@127.0.0.1:$port/scale" bench scale --from "$archive" \
  --sqlite "$dir/scale.db" --items "$items" --runs "$runs" "${reuse[@]}" "${meaning[@]}"
