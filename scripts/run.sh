#!/usr/bin/env bash
# Installs what is missing (Debian packages, npm packages, the embedding model), builds the
# release app and starts it. Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "run: building the command line and installing the model (once)"
cargo build --release -q -p parallax --bin parallax
target/release/parallax model install || echo "run: the model could not be installed; the app still runs, grouping by shared words and names only"
echo "run: building the app"
(cd ui && npm run build)
cargo build --release -p parallax-app --features custom-protocol
exec target/release/parallax-app "$@"
