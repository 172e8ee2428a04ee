#!/usr/bin/env bash
# h200-24: wino_tune's search of NHWC schedules (--layout nhwc) on the host's
# 16-core Xeon at 16 threads, on the N = 1 layers where every row lost to
# oneDNN there (xeon16_nhwc). Carries scripts/gpu_bundle.sh tune (session 18).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S=""
for s in 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 1,64,64,56,56 1,64,64,64,64; do S="$S --shape $s"; done
timeout 570 $bin/wino_tune --layout nhwc --threads 16 --budget 480 --seconds-per-point 0.2 $S \
  --log $OUT/tune_log.jsonl --rows $OUT/tuned_nhwc.cmake > $OUT/tune.txt 2> $OUT/tune.err
tail -40 $OUT/tune.txt
