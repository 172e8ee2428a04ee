#!/usr/bin/env bash
# h200-50: does c_block (the fused multiply's input channels in blocks swept over a band's tile
# blocks; session 40, measured on a 2-core Xeon model 167) help on the GPU machine's 16-core host,
# where 7² and 14² at N = 1 missed oneDNN's Winograd at 16 threads (h200-49)? The c_block row
# against the rows that won those cells, 1 and 16 threads, oneDNN in the same process.
# Carries scripts/gpu_bundle.sh bench built from the session's HEAD.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
timeout 150 $bin/wino_bench --threads 1 --threads 16 \
    --shape 1,512,512,7,7 --shape 1,256,256,14,14 \
    --variant wino_fused_f2_4x2_groups_cb32_nhwc --variant wino_fused_f2_4x2_groups_nhwc \
    --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_4x2_points_nhwc \
    --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
    --benchmark_format=json --benchmark_out=$OUT/bench.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/medians.txt
echo "bench rc=${PIPESTATUS[0]} $(date +%T)"
gzip -9 $OUT/bench.json
ls $OUT
