#!/usr/bin/env bash
# Builds the guest components and the hot-reload benchmark (release), then runs it.
# Usage: benches/run-reload.sh [SWAPS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p parallax-benches --bin bench_reload -p parallax-test-artifacts
exec target/release/bench_reload target/wasm-guests/plugins "${1:-500}"
