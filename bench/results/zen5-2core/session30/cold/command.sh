#!/usr/bin/env bash
# Session 30: wino_bench --cold (caches evicted before every timed call) against calls back to back,
# the same rows, two processes. From the repository root, after a default build.
set -eu
D=bench/results/zen5-2core/session30/cold
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56"
V="--variant direct_8x1_nhwc_rowtaps --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant auto_nhwc"
export WINO_TUNING_TABLE=/nonexistent/tuning.json
for mode in warm cold; do
    flag=""; [ $mode = cold ] && flag=--cold
    build/bin/wino_bench $S $V $flag --threads 1 --threads 2 --benchmark_repetitions=5 \
        --benchmark_format=json --benchmark_out=$D/$mode.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $D/$mode.txt
    gzip -f $D/$mode.json
done
/usr/bin/python3 $D/compare.py $D > $D/compare.md
