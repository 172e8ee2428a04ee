#!/usr/bin/env bash
# h200-31, third call: oneTBB's static partitioner on real layers at 8 and 16 threads, processes
# alternated (this host's 16-thread times move 20-50% between processes). Carries
# scripts/gpu_bundle.sh bench built from 414b56d's sources plus ../xeon16_partitioner/ab3.patch:
# WINO_AB_PARTITIONER 0 auto (main), 1 static for every loop, 3 static for a loop of at most one
# task per thread and auto otherwise. No oneDNN in the process (its OpenMP threads moved our
# 16-thread rows 2-10x in the first call).
set -u
source scripts/gpu_env.sh
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,256,256,14,14"
B="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_7x1_nhwc --variant direct_8x1_nhwc_rowtaps --variant auto_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
for round in 1 2 3 4; do
    for p in 0 3 1; do
        WINO_AB_PARTITIONER=$p timeout 40 $bin/wino_bench $S $B --threads 8 --threads 16 --no-peers \
            --benchmark_repetitions=3 --benchmark_min_time=0.03 --benchmark_enable_random_interleaving=true \
            2> /dev/null | sed -n '/^Median/,$p' > $OUT/bench_p${p}_r$round.txt
        echo "bench p=$p r=$round rc=$? $(date +%T)"
    done
done
cd $OUT && tar -czf bench.tar.gz bench_*.txt && rm bench_*.txt && ls
