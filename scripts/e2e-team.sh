#!/usr/bin/env bash
# Team end to end: a throwaway PostgreSQL (scripts/pg-temp.sh), the demo archive loaded into it by
# the CLI, `parallax serve` with an editor's and a reader's token, and two clients on it: the real
# app under Xvfb (ui/e2e/team.mjs, connecting through Settings → Team archive) and the CLI / plain
# HTTP as curl would. A correction made by one is seen by the other; a reader is refused a write.
# Without PostgreSQL installed the suite is reported ignored (with the reason), never passed.
# Screenshots: artifacts/screenshots/team-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
. scripts/pg-temp.sh

if ! pg_temp_bin; then
  echo "e2e-team: IGNORED: PostgreSQL is not installed (apt-get install postgresql), so the team end-to-end suite did not run"
  exit 0
fi

. scripts/app-driver.sh
prepare_app_driver e2e-team "${E2E_SKIP_BUILD:-0}"
cargo build --release -q -p parallax
cli="$target/release/parallax"

serve_pid=
cleanup() {
  [ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true
  pg_temp_stop
  rm -rf "${PARALLAX_E2E_EXPORT_DIR:-}"
}
trap cleanup EXIT
pg_temp_start e2e-team
pg=$PARALLAX_TEST_PG
work=$(mktemp -d)

# The server runs without the embedding model (words only): the suite is about the client.
export PARALLAX_MODEL=/nonexistent/no-model
"$cli" --pg "$pg" --db "$work/local.db" demo
editor=$("$cli" --db "$work/local.db" users add maryam --role editor --pg "$pg")
reader=$("$cli" --db "$work/local.db" users add omid --role reader --pg "$pg")

"$cli" --pg "$pg" --db "$work/local.db" serve --listen 127.0.0.1:0 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 1 300); do
  url=$(sed -n 's/^parallax serve: listening on //p' "$work/serve.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "e2e-team: parallax serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "e2e-team: parallax serve on $url"
unset PARALLAX_MODEL

mkdir -p artifacts/screenshots
rm -f artifacts/screenshots/team-*.png
export PARALLAX_APP="$target/release/parallax-app" PARALLAX_CLI="$cli" PARALLAX_TEAM_PG="$pg"
export PARALLAX_TEAM_URL="$url" PARALLAX_TEAM_EDITOR="$editor" PARALLAX_TEAM_READER="$reader"
unset CI
# The app saves exports here instead of asking (a native save dialog cannot be driven).
PARALLAX_E2E_EXPORT_DIR="$(mktemp -d)"
export PARALLAX_E2E_EXPORT_DIR
export WEBKIT_DISABLE_COMPOSITING_MODE=${WEBKIT_DISABLE_COMPOSITING_MODE:-0}
status=0
xvfb-run -a -s "-screen 0 1400x900x24" node ui/e2e/team.mjs || status=$?
rm -rf "$work"
exit $status
