#!/usr/bin/env bash
# h200-55 (session 44): WINO_NESTED=1 (a loop nested in loops that give every thread the same number of tasks
# runs in order on its task's thread) against 0 (oneTBB splits every nested loop among the threads), at 16
# threads, two processes per setting, alternated. Carries scripts/gpu_bundle.sh bench built from the
# session's tree. The runs are packed into one archive (a call returns at most 8 files).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
base=$OUT
runs=/tmp/nested_runs
for r in 1 2; do
    for x in 0 1; do
        (OUT=$runs/n${x}_r$r; mkdir -p $OUT; export WINO_NESTED=$x
         bench_limit=90 run_bench --threads 16 \
            --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 \
            --shape 8,64,64,56,56 --shape 8,256,256,14,14 --shape 1,16,16,32,32 --shape 1,24,40,19,23 \
            --variant wino_fused_f4_7x1_inline_nhwc --variant wino_fused_f4_7x1_groups_inline_nhwc \
            --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
            --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f2_4x2_points_nhwc \
            --variant wino_fused_f6_5x1_k4_inline_nhwc --variant wino_fused_f6_5x1_k4_groups_inline_nhwc --variant direct_7x1_nhwc_rowtaps_blocks \
            --variant direct_7x1_nhwc_rowtaps_groups_blocks --variant auto_nhwc \
            --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true)
    done
done
tar -C $runs -cf $base/runs.tar .
ls -R $runs | head -40
