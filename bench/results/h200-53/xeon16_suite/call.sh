#!/usr/bin/env bash
# h200-53 (session 42): h200-52's suite (the same rows, at 1 and 16 threads) with a call's threads taken by its work
# (RunOptions::threads_by_work, the default now; the thr column says how many each row took). Carries
# scripts/gpu_bundle.sh bench built from the session's HEAD.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
bench_limit=480 run_bench --threads 1 --threads 16 --variant direct_xvec --variant direct_xvec_pad_image --variant direct_7x1 --variant direct_rows --variant direct_7x1_rowtaps --variant direct_7x1_nhwc_rowtaps --variant direct_8x1_k3_nhwc_rowtaps --variant direct_8x1_nhwc_rowtaps --variant direct_8x3_k1_nhwc --variant wino_fused_f4_7x1 --variant wino_fused_f4_4x2 --variant wino_fused_f2_4x2 --variant wino_fused_f4_4x2_groups --variant wino_fused_f2_4x2_groups --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f4_4x2_k3_nhwc --variant wino_fused_f6_4x2_k3_nhwc --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_7x1_inline_nhwc --variant wino_fused_f4_7x1_groups_inline_nhwc --variant wino_fused_f4_3x2_k4_inline_nhwc --variant direct_3x2_k4_nhwc --variant direct_8x1_nhwc_rowtaps_blocks --variant direct_7x1_nhwc_rowtaps_blocks --variant direct_7x1_nhwc_rowtaps_groups_blocks --variant wino_fused_f6_5x1_k4_nhwc --variant wino_fused_f6_5x1_k4_inline_nhwc --variant direct_8x1_k1_nhwc_rowtaps_blocks --variant tuned_direct_1x2_vecx --variant auto --variant auto_nhwc --variant direct_6x1_k3_nhwc_rowtaps_blocks \
    --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
ls $OUT
