#!/usr/bin/env bash
# Builds the release CLI with the codec features and runs the codec benchmarks next to
# GStreamer and the rav1e CLI (see ../shared/bench/gst/README.md for the peer set-up).
# Makes the media the rows need when it is missing (the same ffmpeg commands as the
# peer's make_media.sh) plus the first 150/30 frames of the y4m sources as files of
# their own, the frames the peer's rav1e reads with --limit.
# Usage: benches/run-codecs.sh [RUNS] [ROW_FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p parallax --features image,av1enc -p parallax-benches --bin bench_codecs
# Other builds in the same target directory (without the features) replace
# target/release/parallax at any time, so take a private copy of the newest build
# in deps/ that has the codec elements.
BIN=target/release/parallax-codecs
for f in $(ls -t target/release/deps/parallax-* | grep -v '\.d$'); do
  if "$f" inspect rav1enc >/dev/null 2>&1 && "$f" inspect y4mdec >/dev/null 2>&1; then
    cp "$f" "$BIN"
    break
  fi
done
"$BIN" inspect rav1enc >/dev/null || { echo "no parallax binary with the codec features" >&2; exit 1; }
GST_DIR=${GST_BENCH_DIR:-../shared/bench/gst/bench}
MEDIA=${PB:-/tmp/parallax-peerbench}/media
mkdir -p "$MEDIA"
FFE="ffmpeg -hide_banner -nostdin -loglevel error -y"
[ -f "$MEDIA/src_320x240_300f.y4m" ] ||
  $FFE -f lavfi -i testsrc2=size=320x240:rate=30 -frames:v 300 -pix_fmt yuv420p "$MEDIA/src_320x240_300f.y4m"
[ -f "$MEDIA/src_1280x720_150f.y4m" ] ||
  $FFE -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 150 -pix_fmt yuv420p "$MEDIA/src_1280x720_150f.y4m"
[ -f "$MEDIA/src_320x240_150f.y4m" ] ||
  $FFE -i "$MEDIA/src_320x240_300f.y4m" -frames:v 150 "$MEDIA/src_320x240_150f.y4m"
[ -f "$MEDIA/src_1280x720_30f.y4m" ] ||
  $FFE -i "$MEDIA/src_1280x720_150f.y4m" -frames:v 30 "$MEDIA/src_1280x720_30f.y4m"
exec target/release/bench_codecs "$BIN" "$GST_DIR" "$MEDIA" "${1:-3}" "${2:-}"
