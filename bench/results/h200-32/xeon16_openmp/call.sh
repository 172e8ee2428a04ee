#!/usr/bin/env bash
# h200-32: the runtime's OpenMP pool (WINO_POOL=openmp) against its oneTBB pool on the 16-core
# Xeon host. Carries scripts/gpu_bundle.sh bench built from this commit's sources. 1) wino_pool_probe
# under each pool at 2, 8 and 16 threads. 2) wino_bench at 8 and 16 threads, no oneDNN in the
# process, processes alternated between the pools, three rounds (this host's 16-thread times move
# 20-50% between processes). 3) One process per pool with oneDNN's peers in it, at 16 threads:
# oneDNN runs on OpenMP, so with WINO_POOL=openmp both share one team of threads.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
for pool in tbb openmp; do
    WINO_POOL=$pool timeout 50 $bin/wino_pool_probe --threads 2 --threads 8 --threads 16 --work-us 4 --work-us 20 \
        --benchmark_min_time=0.05 2>&1 | grep -E '^wino_pool|_median' > $OUT/probe_$pool.txt
    echo "probe $pool rc=$? $(date +%T)"
done
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,256,256,14,14"
B="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_7x1_nhwc --variant direct_8x1_nhwc_rowtaps --variant auto_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
for round in 1 2 3; do
    for pool in tbb openmp; do
        WINO_POOL=$pool timeout 50 $bin/wino_bench $S $B --threads 8 --threads 16 --no-peers \
            --benchmark_repetitions=3 --benchmark_min_time=0.03 --benchmark_enable_random_interleaving=true \
            2> /dev/null | sed -n '/^Thread pool/p;/^Median/,$p' > $OUT/bench_${pool}_r$round.txt
        echo "bench $pool r=$round rc=$? $(date +%T)"
    done
done
S2="--shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 8,256,256,14,14"
B2="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f4_7x1_nhwc --variant auto_nhwc"
for pool in tbb openmp; do
    WINO_POOL=$pool timeout 70 $bin/wino_bench $S2 $B2 --threads 16 \
        --benchmark_repetitions=3 --benchmark_min_time=0.03 --benchmark_enable_random_interleaving=true \
        2> /dev/null | sed -n '/^Thread pool/p;/^Median/,$p' > $OUT/peers_${pool}.txt
    echo "peers $pool rc=$? $(date +%T)"
done
cd $OUT && tar -czf bench.tar.gz bench_*.txt peers_*.txt && rm bench_*.txt peers_*.txt && ls
