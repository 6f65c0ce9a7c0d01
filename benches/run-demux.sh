#!/usr/bin/env bash
# MP4 / MPEG-TS demux next to GStreamer and FFmpeg on the peer scripts' media.
# Needs gst-launch-1.0 and ffmpeg (see ../shared/bench/gst/README.md); makes the H.264
# media of make_media.sh (10 s, 1 h MP4 and TS, ~2.6 GB) under $PB when missing.
# Usage: benches/run-demux.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
GST_HOME=${GST_BENCH_HOME:-../shared/bench/gst}
PB=${PB:-/tmp/parallax-peerbench}
MEDIA=$PB/media
mkdir -p "$MEDIA"
if [ ! -f "$MEDIA/h264_720p_3600s.ts" ]; then
  ( cd "$MEDIA"
    FFE="ffmpeg -hide_banner -nostdin -loglevel error -y"
    AUD="aevalsrc=0.30*sin(2*PI*440*t)+0.10*sin(2*PI*661*t)|0.30*sin(2*PI*554*t):s=44100"
    $FFE -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i "$AUD:d=10" -t 10 \
         -c:v libx264 -preset veryfast -crf 23 -g 60 -pix_fmt yuv420p -c:a aac -b:a 128k \
         -movflags +faststart h264_720p_10s.mp4
    rm -f concat.txt; for _ in $(seq 60); do echo "file 'h264_720p_10s.mp4'" >> concat.txt; done
    $FFE -f concat -safe 0 -i concat.txt -c copy -movflags +faststart h264_720p_600s.mp4
    rm -f concat6.txt; for _ in $(seq 6); do echo "file 'h264_720p_600s.mp4'" >> concat6.txt; done
    $FFE -f concat -safe 0 -i concat6.txt -c copy -movflags +faststart h264_720p_3600s.mp4
    $FFE -i h264_720p_3600s.mp4 -c copy -f mpegts h264_720p_3600s.ts )
fi
cargo build --release -p parallax --features mp4,ts -p parallax-benches
PB=$PB exec target/release/bench_demux target/release/parallax "$GST_HOME/bench" "$MEDIA" "${1:-3}"
