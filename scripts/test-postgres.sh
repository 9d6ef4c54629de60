#!/usr/bin/env bash
# Runs the store tests on PostgreSQL: starts a throwaway server from Debian's `postgresql` package
# (initdb + pg_ctl in a temporary directory, on a free port of 127.0.0.1, no system service),
# points PARALLAX_TEST_PG at it, runs the ignored tests named for it (store tests `…::postgres`,
# tests/team.rs), and removes it all on exit.
# Usage: scripts/test-postgres.sh [cargo test args...]   (default: -p parallax --tests)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql); its tests stay ignored" >&2
  exit 1
fi

dir=$(mktemp -d)
# initdb refuses to run as root: the server then runs as the unprivileged `nobody`.
as=()
if [ "$(id -u)" = 0 ]; then
  chown nobody "$dir"
  as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as[@]}" "$bin/initdb" -D "$dir/data" -U parallax --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export PARALLAX_TEST_PG="postgres://parallax@127.0.0.1:$port/postgres"
echo "test-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
[ $# -gt 0 ] || set -- -p parallax --tests
cargo test --release "$@" -- --ignored postgres
