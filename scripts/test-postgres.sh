#!/usr/bin/env bash
# Runs the tests on PostgreSQL: starts a throwaway server from Debian's `postgresql` package
# (scripts/pg-temp.sh: initdb + pg_ctl in a temporary directory, on a free port of 127.0.0.1, no
# system service), points PARALLAX_TEST_PG at it, and runs
#  1. the ignored tests named for it (store tests `…::postgres`, tests/team.rs);
#  2. the engine suites (tests/integration, tests/watch, tests/carry.rs) with
#     PARALLAX_TEST_BACKEND=postgres: every archive they open is a fresh database of the server.
#     Tests named `…_sqlite_only` (the archive file itself: its lock, a corrupt file, a full
#     disk) are skipped, and so are the modules that open no archive (parsing, fetching, grouping
#     the story sets, language detection, embeddings, the catalog): the SQLite run covers them.
# It removes the server on exit.
# Usage: scripts/test-postgres.sh [cargo test args...]   (default: -p parallax --tests)
# The engine suites reuse the packages and features of those args (target selections such as
# --tests are dropped for them), so a build made with the same args is reused, not redone.
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

echo "== test-postgres: store and team tests"
cargo test --release "$@" -- --ignored postgres

# The same packages and features without the target selection.
build=()
while [ $# -gt 0 ]; do
  case $1 in
    --tests | --lib | --bins | --examples | --benches | --all-targets | --doc) ;;
    --test | --bin | --example | --bench) shift ;;
    --test=* | --bin=* | --example=* | --bench=*) ;;
    *) build+=("$1") ;;
  esac
  shift
done
echo "== test-postgres: engine suites on PostgreSQL"
PARALLAX_TEST_BACKEND=postgres cargo test --release "${build[@]}" \
  --test integration --test watch --test carry -- \
  --skip sqlite_only \
  --skip backends:: --skip catalog:: --skip cluster:: --skip embed:: --skip ingest_fetch:: --skip language:: --skip parse::
