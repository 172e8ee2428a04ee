#!/usr/bin/env bash
# h200-31, second call: the pool's parallel loop at 16 threads, by oneTBB partitioner and with a
# call inside the arena. Carries scripts/gpu_bundle.sh bench built from 414b56d's sources plus
# ../xeon16_joins/ab2.patch (not in main): WINO_AB_PARTITIONER 0 auto (main), 1 static, 2 simple;
# WINO_AB_CALL_ARENA as in the first call. The first call's 16-thread rows moved 2-10x between
# processes with oneDNN's OpenMP threads in the same process, so no peers and no OpenMP rows here.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
for round in 1 2; do
    for cfg in "0 0" "1 0" "2 0" "0 1" "1 1"; do
        set -- $cfg
        WINO_AB_PARTITIONER=$1 WINO_AB_CALL_ARENA=$2 timeout 40 $bin/wino_pool_probe --threads 8 --threads 16 \
            --work-us 4 --work-us 20 --benchmark_filter=pool/ --benchmark_min_time=0.05 > $OUT/probe_p$1_a$2_r$round.txt 2>&1
        echo "probe p=$1 a=$2 r=$round rc=$? $(date +%T)"
    done
done
S=""
for s in 1,16,16,32,32 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 8,256,256,14,14; do S="$S --shape $s"; done
B="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_7x1_nhwc --variant direct_8x1_nhwc_rowtaps"
export WINO_TUNING_TABLE=$OUT/none.json
for round in 1 2; do
    for cfg in "0 0" "1 0" "0 1" "1 1"; do
        set -- $cfg
        WINO_AB_PARTITIONER=$1 WINO_AB_CALL_ARENA=$2 timeout 45 $bin/wino_bench $S $B --threads 16 --no-peers \
            --benchmark_repetitions=3 --benchmark_min_time=0.05 --benchmark_enable_random_interleaving=true \
            2> /dev/null | sed -n '/^Median/,$p' > $OUT/bench_p$1_a$2_r$round.txt
        echo "bench p=$1 a=$2 r=$round rc=$? $(date +%T)"
    done
done
ls $OUT
