#!/usr/bin/env bash
# End-to-end tests in the real app: builds the release binary (front end embedded), then runs
# ui/e2e/run.mjs under Xvfb with tauri-driver + WebKitWebDriver on a temporary archive, with the
# installed embedding model (installed first if missing) so grouping and search use meaning.
# Screenshots: artifacts/screenshots/*.png; timings: artifacts/e2e-timings.json.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}

. scripts/app-driver.sh
prepare_app_driver e2e "${E2E_SKIP_BUILD:-0}"

# The app finds the model through PARALLAX_MODEL: the default install location unless set.
if [ -z "${PARALLAX_MODEL:-}" ]; then
  PARALLAX_MODEL="$(cargo run --release -q -p parallax -- model status 2>/dev/null | sed -n 's/^model ok: \(.*\) (sha256.*/\1/p' || true)"
  if [ -z "$PARALLAX_MODEL" ]; then
    echo "e2e: installing the embedding model"
    cargo run --release -q -p parallax -- model install
    PARALLAX_MODEL="$(cargo run --release -q -p parallax -- model status | sed -n 's/^model ok: \(.*\) (sha256.*/\1/p')"
  fi
fi
[ -f "$PARALLAX_MODEL" ] || { echo "e2e: no embedding model at '$PARALLAX_MODEL'" >&2; exit 1; }
export PARALLAX_MODEL
echo "e2e: model $PARALLAX_MODEL"

mkdir -p artifacts/screenshots
rm -f artifacts/screenshots/*.png
# WebDriver cannot drive the native save dialog: with this set, the app saves exports into this
# directory instead of asking (read by src-tauri/src/save.rs; set only here, never in the app).
PARALLAX_E2E_EXPORT_DIR="$(mktemp -d)"
export PARALLAX_E2E_EXPORT_DIR
trap 'rm -rf "$PARALLAX_E2E_EXPORT_DIR"' EXIT
export PARALLAX_APP="$target/release/parallax-app"
# CI=1 confuses the Tauri tooling; the suite does not need it.
unset CI
# Without a GPU the app switches WebKit to its plain software painter (less memory, faster
# scrolling; see src-tauri/src/lib.rs). WebKitWebDriver's screenshot of one view stalls under that
# painter, so the suite runs with compositing, which is what every machine with a GPU gets.
export WEBKIT_DISABLE_COMPOSITING_MODE=${WEBKIT_DISABLE_COMPOSITING_MODE:-0}
xvfb-run -a -s "-screen 0 1400x900x24" node ui/e2e/run.mjs
