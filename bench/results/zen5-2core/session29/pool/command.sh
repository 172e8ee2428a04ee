#!/usr/bin/env bash
# Session 29: the runtime's OpenMP pool (WINO_POOL=openmp) against its oneTBB pool on this Zen 5 at
# 2 threads, as h200-32/xeon16_openmp/call.sh does on the 16-core Xeon host: wino_pool_probe under
# each pool, then wino_bench with processes alternated between the pools (no oneDNN in the process),
# then one process per pool with oneDNN's peers in it. Run from the repository root after a build.
set -u
out=bench/results/zen5-2core/session29/pool
bin=build/bin
lscpu > $out/machine.txt
for pool in tbb openmp; do
    WINO_POOL=$pool $bin/wino_pool_probe --threads 1 --threads 2 --work-us 4 --work-us 20 \
        --benchmark_min_time=0.05 2>&1 | grep -E '^wino_pool|_median' > $out/probe_$pool.txt
done
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,256,256,14,14"
B="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_7x1_nhwc --variant direct_8x1_nhwc_rowtaps --variant auto_nhwc"
export WINO_TUNING_TABLE=/tmp/none.json
for round in 1 2 3; do
    for pool in tbb openmp; do
        WINO_POOL=$pool $bin/wino_bench $S $B --threads 2 --no-peers \
            --benchmark_repetitions=3 --benchmark_min_time=0.03 --benchmark_enable_random_interleaving=true \
            2> /dev/null | sed -n '/^Thread pool/p;/^Median/,$p' > $out/bench_${pool}_r$round.txt
    done
done
S2="--shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 8,256,256,14,14"
B2="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f4_7x1_nhwc --variant auto_nhwc"
for pool in tbb openmp; do
    WINO_POOL=$pool $bin/wino_bench $S2 $B2 --threads 2 \
        --benchmark_repetitions=3 --benchmark_min_time=0.03 --benchmark_enable_random_interleaving=true \
        2> /dev/null | sed -n '/^Thread pool/p;/^Median/,$p' > $out/peers_${pool}.txt
done
