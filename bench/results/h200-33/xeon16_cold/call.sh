#!/usr/bin/env bash
# h200-33: wino_bench --cold (caches evicted before every timed call) against calls back to back on a
# 16-core Xeon host, at 1 and 16 threads, as bench/results/zen5-2core/session30/cold does on the Zen 5.
# Carries scripts/gpu_bundle.sh bench built from 3d83e45's sources (wino_bench with --cold).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56"
V="--variant direct_8x1_nhwc_rowtaps --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant auto_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
for mode in warm cold; do
    flag=""; [ $mode = cold ] && flag=--cold
    timeout 150 $bin/wino_bench $S $V $flag --threads 1 --threads 16 --benchmark_repetitions=5 \
        --benchmark_format=json --benchmark_out=$OUT/$mode.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/$mode.txt
    echo "$mode rc=$? $(date +%T)"
    gzip -f $OUT/$mode.json
done
ls $OUT
