#!/usr/bin/env bash
# Builds the release CLI with WASM support and the guest components, then runs the WASM
# benchmarks, including the Python/JavaScript/C passthroughs (their tools come from
# ci/guest-tools.sh). Usage: benches/run-wasm.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ci/guest-tools.sh
cargo build --release -p parallax --features wasm -p parallax-benches -p parallax-test-artifacts
exec target/release/bench_wasm target/release/parallax target/wasm-guests/plugins "${1:-3}" \
    target/wasm-guests/lang
