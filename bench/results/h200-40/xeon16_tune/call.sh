#!/usr/bin/env bash
# h200-40: wino_tune --layout nhwc at 16 threads on the host's cores, with the
# register blocks fitted to each layer's tile grid (session 33), on the N = 1
# layers where the fastest row lost to oneDNN's Winograd at 16 threads in
# h200-38 (0.61-0.83x). Carries scripts/gpu_bundle.sh tune.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S=""
for s in 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14; do S="$S --shape $s"; done
WINO_TUNING_TABLE=/nonexistent timeout 575 $bin/wino_tune --layout nhwc --threads 16 --budget 450 \
  --seconds-per-point 0.2 $S --log $OUT/tune_log.jsonl --rows $OUT/tuned_nhwc.cmake > $OUT/tune.txt 2> $OUT/tune.err
echo "rc=$?" >> $OUT/tune.txt
tail -30 $OUT/tune.txt
