#!/usr/bin/env bash
# h200-47: a short run for issue 11's targets 4c/4d on the GPU machine's 16-core host, sized for
# a session with ~600 s of device time left (h200-46's full suite needs 560 s of benchmark alone):
# ResNet layers only, the rows that won them on the 2-core hosts and on this host before (h200-45),
# 1 and 16 threads, 3 repetitions. Carries scripts/gpu_bundle.sh bench (built from a1e52ec).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
timeout 300 $bin/wino_bench --threads 1 --threads 16 \
    --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 8,64,64,56,56 \
    --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f4_4x2_points_nhwc \
    --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_3x2_k4_inline_nhwc --variant wino_fused_f4_4x2_k1_all_nhwc \
    --variant direct_8x1_nhwc_rowtaps_blocks \
    --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
    --benchmark_format=json --benchmark_out=$OUT/bench.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/medians.txt
echo "bench rc=${PIPESTATUS[0]} $(date +%T)"
gzip -9 $OUT/bench.json
ls $OUT
