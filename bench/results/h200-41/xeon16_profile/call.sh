#!/usr/bin/env bash
# h200-41, second call: where the fastest rows' time goes, stage by stage (Halide's profiler), at 1
# and 16 threads on the N = 1 layers, to read against each row's multiply floor (xeon16_suite).
# Carries scripts/gpu_bundle.sh bench built from f99f640.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
V="--variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f2_4x2_points_nhwc"
S="--shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7"
for t in 1 16; do
  timeout 250 $bin/wino_profile --threads $t $S $V --seconds 0.5 --json $OUT/profile_t$t.json > $OUT/profile_t$t.txt 2>&1
  echo "t=$t rc=$? $(date +%T)"
done
tail -12 $OUT/profile_t1.txt
