# Sourced by scripts/e2e.sh and scripts/perf.sh: what driving the real app needs (WebKitWebDriver,
# Xvfb, tauri-driver, the UI's npm packages), then the release app with its front end embedded.
# Usage: prepare_app_driver NAME SKIP_BUILD   (NAME prefixes messages; SKIP_BUILD=1 reuses the app)
prepare_app_driver() {
  local name=$1 skip=$2
  command -v WebKitWebDriver >/dev/null || { echo "$name: WebKitWebDriver missing (apt-get install webkit2gtk-driver)" >&2; exit 1; }
  command -v xvfb-run >/dev/null || { echo "$name: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 1; }
  command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --quiet
  [ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --ignore-scripts)
  if [ "$skip" != 1 ]; then
    echo "$name: building the front end and the release app"
    (cd ui && npm run build)
    cargo build --release -p parallax-app --features custom-protocol
  fi
}
