#!/usr/bin/env bash
# Builds the release CLI with the decoder features and runs the decoder benchmarks next
# to GStreamer (see ../shared/bench/gst/README.md for the peer set-up). Makes the media
# when missing (the peer's make_media.sh commands), plus the 720p pictures concatenated
# 300 (PNG) and 1000 (JPEG) times: the work the peers do by looping with multifilesrc.
# Usage: benches/run-decode.sh [RUNS] [ROW_FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
# Both binaries by name: `--bin bench_decode` alone would leave a stale `parallax`.
cargo build --release -p parallax --features imagedec,audiodec -p parallax-benches \
  --bin parallax --bin bench_decode
BIN=${CARGO_TARGET_DIR:-target}/release
GST_DIR=${GST_BENCH_DIR:-../shared/bench/gst/bench}
# For our own peer scripts (benches/peers/), which use the peer folder's env.sh.
PEERBENCH_HOME=$(cd "$GST_DIR/.." && pwd)
export PEERBENCH_HOME
MEDIA=${PB:-/tmp/parallax-peerbench}/media
mkdir -p "$MEDIA"
FFE="ffmpeg -hide_banner -nostdin -loglevel error -y"
AUD='aevalsrc=0.30*sin(2*PI*440*t)+0.10*sin(2*PI*661*t)+0.05*(random(0)-0.5)|0.30*sin(2*PI*554*t)+0.08*sin(2*PI*830*t)+0.05*(random(1)-0.5):s=44100'
[ -f "$MEDIA/audio_600s.flac" ] || $FFE -f lavfi -i "$AUD:d=600" -sample_fmt s16 -c:a flac "$MEDIA/audio_600s.flac"
[ -f "$MEDIA/audio_600s.mp3" ] || $FFE -f lavfi -i "$AUD:d=600" -c:a libmp3lame -b:a 192k "$MEDIA/audio_600s.mp3"
[ -f "$MEDIA/image_720p.png" ] ||
  $FFE -f lavfi -i mandelbrot=size=1280x720:rate=1 -frames:v 1 -pix_fmt rgb24 "$MEDIA/image_720p.png"
[ -f "$MEDIA/image_720p.jpg" ] ||
  $FFE -f lavfi -i mandelbrot=size=1280x720:rate=1 -frames:v 1 -pix_fmt yuvj420p -q:v 3 "$MEDIA/image_720p.jpg"
repeat() { [ -f "$3" ] || for _ in $(seq "$2"); do cat "$1"; done > "$3"; }
repeat "$MEDIA/image_720p.png" 300 "$MEDIA/image_720p_x300.png"
repeat "$MEDIA/image_720p.jpg" 1000 "$MEDIA/image_720p_x1000.jpg"
exec "$BIN/bench_decode" "$BIN/parallax" "$GST_DIR" "$MEDIA" "${1:-3}" "${2:-}"
