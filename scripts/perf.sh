#!/usr/bin/env bash
# Performance benchmark in the real app (not part of CI): launches the release app several times
# under Xvfb through tauri-driver + WebKitWebDriver on a copy of ARCHIVE and records medians of
# launch → first stories painted, opening a story, search, scrolling, and the whole app's memory
# (parallax-app + WebKit processes) with the model loaded. Results: artifacts/perf-timings.json,
# screenshots in artifacts/perf/.
#
#   parallax bench archive --db /tmp/parallax-100k.db --items 100000   # once, ~25-40 min
#   scripts/perf.sh /tmp/parallax-100k.db
#
# PERF_LAUNCHES (default 5) and PERF_REPS (default 9) set the repetitions; PERF_SKIP_BUILD=1 reuses
# the built app.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
archive=${1:-${PERF_ARCHIVE:-}}
[ -n "$archive" ] && [ -f "$archive" ] || { echo "usage: scripts/perf.sh ARCHIVE.db (build one with: parallax bench archive --db ARCHIVE.db)" >&2; exit 2; }

. scripts/app-driver.sh
prepare_app_driver perf "${PERF_SKIP_BUILD:-0}"

export PARALLAX_APP="${PARALLAX_APP:-$target/release/parallax-app}"
export PERF_ARCHIVE
PERF_ARCHIVE=$(realpath "$archive")
unset CI
echo "perf: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
exec xvfb-run -a -s "-screen 0 1400x900x24" node ui/e2e/perf.mjs
