# Sourced by scripts/test-postgres.sh and scripts/e2e-team.sh: a throwaway PostgreSQL from Debian's
# `postgresql` package (initdb + pg_ctl in a temporary directory, on a free port of 127.0.0.1, no
# system service). `pg_temp_bin` finds the binaries (fails when the package is missing);
# `pg_temp_start` starts a server and exports PARALLAX_TEST_PG; `pg_temp_stop` removes it all
# (callers put it in their EXIT trap).
pg_temp_bin() {
  PG_TEMP_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$PG_TEMP_BIN" ] && [ -x "$PG_TEMP_BIN/initdb" ]
}

pg_temp_start() {
  local who=$1
  PG_TEMP_DIR=$(mktemp -d)
  # initdb refuses to run as root: the server then runs as the unprivileged `nobody`.
  PG_TEMP_AS=()
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$PG_TEMP_DIR"
    PG_TEMP_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  fi
  local dir=$PG_TEMP_DIR bin=$PG_TEMP_BIN port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${PG_TEMP_AS[@]}" "$bin/initdb" -D "$dir/data" -U parallax --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${PG_TEMP_AS[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  export PARALLAX_TEST_PG="postgres://parallax@127.0.0.1:$port/postgres"
  echo "$who: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

pg_temp_stop() {
  [ -n "${PG_TEMP_DIR:-}" ] || return 0
  "${PG_TEMP_AS[@]}" "$PG_TEMP_BIN/pg_ctl" -D "$PG_TEMP_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEMP_DIR"
  PG_TEMP_DIR=
}
