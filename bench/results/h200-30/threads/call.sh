#!/usr/bin/env bash
# h200-30: how small layers scale on the 16-core Xeon host, 1-16 threads: is the pool's fork-join
# what a 16-thread call of a small layer pays (32² C16: 0.023 ms at 16 threads against 0.034 at
# 1 in h200-29, oneDNN 0.012)? Carries scripts/gpu_bundle.sh bench. One process, medians of 3,
# repetitions interleaved at random, no tuning table; auto_nhwc as the analytic model picks (7b84261).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S=""
for s in 1,16,16,8,8 1,16,16,32,32 1,24,40,19,23 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7; do S="$S --shape $s"; done
B="--variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant direct_8x1_nhwc_rowtaps \
   --variant direct_8x3_k1_nhwc --variant auto_nhwc"
T="--threads 1 --threads 2 --threads 4 --threads 8 --threads 16"
export WINO_TUNING_TABLE=$OUT/none.json
for i in 1; do
    timeout 280 $bin/wino_bench $S $B $T --benchmark_repetitions=3 --benchmark_min_time=0.1 \
        --benchmark_enable_random_interleaving=true \
        --benchmark_out=$OUT/t_$i.json --benchmark_out_format=json 2> $OUT/t_$i.err | sed -n '/^Median/,$p' > $OUT/t_$i.txt
    echo "t_$i rc=$? $(date +%T)"
done
# The pool's arena capped at the variant's parallel tasks (the model's count, WINO_ARENA_CAP: an
# experiment in the bundle's runtime, not in main): does waking fewer workers help a small call?
WINO_ARENA_CAP=1 timeout 200 $bin/wino_bench $S $B --threads 8 --threads 16 --benchmark_repetitions=3 \
    --benchmark_min_time=0.1 --benchmark_enable_random_interleaving=true \
    --benchmark_out=$OUT/cap.json --benchmark_out_format=json 2> $OUT/cap.err | sed -n '/^Median/,$p' > $OUT/cap.txt
echo "cap rc=$? $(date +%T)"
cd $OUT && tar -czf raw.tar.gz *.json *.err && rm -f *.json *.err && ls
