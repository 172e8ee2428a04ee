#!/usr/bin/env bash
# Session 30: why 1x512x512 at 7x7 runs its multiply at 60-70% of the FMA peak on one Zen 5 core
# while 1x256x256 at 7x7 and 14x14 run at 86-94%. From the repository root, after a default build.
set -eu
D=bench/results/zen5-2core/session30/layer7
lscpu > $D/machine.txt
# The multiply's time per phase (Halide's profiler), U from 4 to 38 MB.
build/bin/wino_profile --threads 1 --seconds 1 \
    --shape 1,256,256,7,7 --shape 1,384,384,7,7 --shape 1,512,512,7,7 --shape 1,256,256,14,14 \
    --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f4_4x2_nhwc > $D/profile.txt 2>&1
# One core reading an array of the size of U over and over (AVX-512 loads), GB/s.
g++ -O2 -mavx512f $D/stream_read.cpp -o /tmp/stream_read && /tmp/stream_read > $D/stream_read.txt
# The c_chunks.patch experiment was measured with wino_tune candidates carrying c_slice=64/128/256
# on a build with the patch applied (tune_c_chunks.txt).
