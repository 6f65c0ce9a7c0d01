#!/bin/sh
# UNIT: fps
# DESC: multifilesrc loop image_720p.jpg caps=image/jpeg ! jpegdec ! fakesink, 1000 decodes
# Our variant of the peer's d05_jpegdec_720p.sh: the same pipeline without jpegparse,
# which is in gst-plugins-bad and not installed on this machine (d05 fails here).
# multifilesrc hands jpegdec one whole picture per buffer, which is what jpegparse would
# pass on, so jpegdec does the same work (libjpeg-turbo to I420). Needs PEERBENCH_HOME,
# the peer's folder (../shared/bench/gst), for its env.sh (wall, rate, $MEDIA).
set -u
. "${PEERBENCH_HOME:?set PEERBENCH_HOME to the peer bench folder}/env.sh"
N=1000
t=$(wall $GST multifilesrc location=$MEDIA/image_720p.jpg loop=true num-buffers=$N caps=image/jpeg,framerate=30/1 ! jpegdec ! fakesink) || exit 1
rate $N $t
