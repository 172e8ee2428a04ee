#!/usr/bin/env bash
# h200-41: the default suite at 1 and 16 threads on the GPU machine's 16-core host, every row of
# zen5-2core/session32/suite (the same command) and oneDNN, for scripts/targets.py: the performance
# targets judged on a 16-core Xeon. Carries scripts/gpu_bundle.sh bench built from f99f640 (floor_ms: each row's multiply at the FMA peak).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
timeout 560 $bin/wino_bench --threads 1 --threads 16  --variant direct_xvec --variant direct_xvec_pad_image --variant direct_7x1 --variant direct_rows --variant direct_7x1_rowtaps --variant direct_7x1_nhwc_rowtaps --variant direct_8x1_nhwc_rowtaps --variant direct_8x1_k3_nhwc_rowtaps --variant direct_8x1_k1_nhwc_rowtaps --variant direct_8x3_k1_nhwc --variant wino_fused_f4_7x1 --variant wino_fused_f4_4x2 --variant wino_fused_f2_4x2 --variant wino_fused_f4_rows --variant wino_fused_f4_4x2_groups --variant wino_fused_f2_4x2_groups --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_8x1_nhwc --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f6_nhwc --variant wino_fused_f4_4x2_k3_nhwc --variant wino_fused_f6_4x2_k3_nhwc --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant auto --variant auto_nhwc \
    --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
    --benchmark_format=json --benchmark_out=$OUT/bench.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/medians.txt
echo "bench rc=${PIPESTATUS[0]} $(date +%T)"
gzip -9 $OUT/bench.json
ls $OUT
