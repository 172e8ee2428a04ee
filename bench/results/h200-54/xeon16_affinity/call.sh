#!/usr/bin/env bash
# h200-54 (session 43): WINO_AFFINITY=1 and 2 (a top-level loop of more tasks than threads, or every one, replays its last
# task-to-thread mapping: oneTBB's affinity_partitioner) against 0 (stealing as before), at 16 threads,
# on the layers whose transformed filter U fits the 16 threads' L2s only when each keeps its own part.
# Two processes per setting, alternated. Carries scripts/gpu_bundle.sh bench built from the session's tree.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
base=$OUT
for r in 1 2; do
    for a in 0 1 2; do
        (OUT=$base/a${a}_r$r; mkdir -p $OUT; export WINO_AFFINITY=$a
         bench_limit=100 run_bench --threads 16 \
            --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 \
            --shape 8,64,64,56,56 --shape 8,256,256,14,14 --shape 1,96,96,28,28 \
            --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc \
            --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f4_4x2_groups \
            --variant direct_7x1_nhwc_rowtaps_groups_blocks --variant auto_nhwc \
            --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true)
    done
done
ls -R $OUT
