#!/bin/bash
# Grouped vs one-process-per-element isolation, next to in-process: the same three
# transforms (videoconvert, videoscale, videoconvert) with `--no-isolate`,
# `--isolate 'video*'` (one worker for the three, and videotestsrc since sources can run
# in workers) and `--isolate 'video*' --isolate-each` (a worker each). Modes are interleaved; prints the median, p25 and p75 wall time.
# usage: benches/run-groups.sh [NUM_BUFFERS] [REPS]   (build: cargo build --release -p parallax)
set -eu
P=${PARALLAX:-$(dirname "$0")/../target/release/parallax}
N=${1:-1}
REPS=${2:-31}
PIPE="videotestsrc num-buffers=$N pattern=ball ! video/x-raw,format=RGBA,width=320,height=240 ! videoconvert ! video/x-raw,format=I420 ! videoscale ! video/x-raw,width=160,height=120 ! videoconvert ! video/x-raw,format=RGBA ! fakesink"
set -f
for _ in $(seq 1 "$REPS"); do
  for mode in "--no-isolate" "--isolate video*" "--isolate video* --isolate-each"; do
    s=$(date +%s%N)
    # shellcheck disable=SC2086
    "$P" launch -q $mode $PIPE >/dev/null 2>&1 || echo "FAILED: $mode" >&2
    e=$(date +%s%N)
    printf '%s\t%d\n' "$mode" $(((e - s) / 100000))
  done
done | sort -t$'\t' -k1,1 -k2n | awk -F'\t' '{n[$1]++; v[$1,n[$1]]=$2}
  END {for (k in n) {m=int((n[k]+1)/2); printf "%-32s median %.1f ms  p25 %.1f  p75 %.1f  (n=%d)\n",
       k, v[k,m]/10, v[k,int(n[k]/4)+1]/10, v[k,int(3*n[k]/4)+1]/10, n[k]}}'
