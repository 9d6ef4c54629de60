#!/usr/bin/env bash
# Runs the store tests on PostgreSQL: starts a throwaway server from Debian's `postgresql` package
# (scripts/pg-temp.sh: initdb + pg_ctl in a temporary directory, on a free port of 127.0.0.1, no
# system service), points PARALLAX_TEST_PG at it, runs the ignored tests named for it (store tests
# `…::postgres`, tests/team.rs), and removes it all on exit.
# Usage: scripts/test-postgres.sh [cargo test args...]   (default: -p parallax --tests)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-temp.sh

if ! pg_temp_bin; then
  echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql); its tests stay ignored" >&2
  exit 1
fi
trap pg_temp_stop EXIT
pg_temp_start test-postgres
[ $# -gt 0 ] || set -- -p parallax --tests
cargo test --release "$@" -- --ignored postgres
