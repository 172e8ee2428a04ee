#!/usr/bin/env bash
# h200-31: what a parallel loop costs on the 16-core Xeon host, and what a call pays for its loops.
# Carries scripts/gpu_bundle.sh bench built from 414b56d's sources plus ab.patch (not in main):
# WINO_AB_CALL_ARENA=1 runs each call inside the pool's arena (its loops then do not each enter
# it), 0 as main. 1) wino_pool_probe (busy-wait tasks: the pool's and OpenMP's cost per loop) at
# 1-16 threads, both settings. 2) wino_bench at 1 and 16 threads, processes alternated between
# the settings: the parallel=points rows after 414b56d (a band's products one parallel loop, not
# one per transform point) beside groups and oneDNN, with the joins each call makes.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
T="--threads 1 --threads 2 --threads 4 --threads 8 --threads 16"
for ab in 0 1; do
    WINO_AB_CALL_ARENA=$ab timeout 60 $bin/wino_pool_probe $T --work-us 0 --work-us 4 --work-us 20 \
        --benchmark_min_time=0.05 > $OUT/probe_ab$ab.txt 2>&1
    echo "probe ab=$ab rc=$? $(date +%T)"
done
S=""
for s in 1,16,16,32,32 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 8,256,256,14,14; do S="$S --shape $s"; done
B="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_7x1_nhwc --variant auto_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
for i in 1 2; do
    for ab in 0 1; do
        WINO_AB_CALL_ARENA=$ab timeout 110 $bin/wino_bench $S $B --threads 1 --threads 16 --benchmark_repetitions=3 \
            --benchmark_min_time=0.05 --benchmark_enable_random_interleaving=true \
            --benchmark_out=$OUT/b${i}_ab$ab.json --benchmark_out_format=json 2> $OUT/b${i}_ab$ab.err \
            | sed -n '/^Median/,$p' > $OUT/b${i}_ab$ab.txt
        echo "bench $i ab=$ab rc=$? $(date +%T)"
    done
done
cd $OUT && tar -czf raw.tar.gz *.json *.err && rm -f *.json *.err && ls
