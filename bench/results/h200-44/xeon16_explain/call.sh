#!/usr/bin/env bash
# h200-44: what auto's model picks on the Xeon host (wino_tune --explain: no
# measuring), at 1 and 16 threads on the default layers, NHWC and NCHW, to
# see why auto_nhwc ran 1.14-1.48x the fastest NHWC row on some layers in
# h200-43. Carries scripts/gpu_bundle.sh tune (session 34, 3074a12).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
for t in 1 16; do
  for l in nhwc nchw; do
    $bin/wino_tune --explain --layout $l --threads $t > $OUT/explain_${l}_t$t.txt 2>&1
    echo "$l $t rc=$?"
  done
done
grep -h "auto picks" $OUT/explain_nhwc_t*.txt
