#!/usr/bin/env bash
# Builds the release CLI and runs the core benchmarks next to GStreamer.
# Needs gst-launch-1.0 and /usr/bin/time (see ../shared/bench/gst/README.md).
# Usage: benches/run.sh [RUNS] [ROW_FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p parallax -p parallax-benches
GST_DIR=${GST_BENCH_DIR:-../shared/bench/gst/bench}
exec target/release/bench_core target/release/parallax "$GST_DIR" "${1:-3}" "${2:-}"
