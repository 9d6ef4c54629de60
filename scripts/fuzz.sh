#!/usr/bin/env bash
# Fuzzes the ingest path (charset detection → parse → sanitise → language → fold) for SECONDS
# (default 60) with a mutation loop seeded by every fixture feed; findings go to artifacts/fuzz/.
# Usage: scripts/fuzz.sh [SECONDS] [extra args for examples/fuzz.rs, e.g. --inputs 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
cargo build --release -q -p parallax --example fuzz
exec "${CARGO_TARGET_DIR:-target}/release/examples/fuzz" --seconds "$seconds" "$@"
