#!/usr/bin/env bash
# h200-29, second part: parallel=points (the band's products for all output channels first, each
# transform point and block of channels a task) on the 16-core Xeon host, against the rows that
# led at 16 threads. Carries scripts/gpu_bundle.sh bench built with the two points rows.
# Processes alternate the two orders of nothing: two identical processes at 16 threads (this host
# drifts between processes), medians of 5, repetitions interleaved at random.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S=""
for s in 1,16,16,32,32 1,64,64,64,64 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 \
         8,64,64,56,56 8,256,256,14,14 1,24,40,19,23; do S="$S --shape $s"; done
B="--variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant tuned_f4_4x2_nhwc_all \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_k1_all_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
for i in 1 2; do
    timeout 280 $bin/wino_bench $S $B --threads 16 --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
        --benchmark_out=$OUT/p16_$i.json --benchmark_out_format=json 2> $OUT/p16_$i.err | sed -n '/^Median/,$p' > $OUT/p16_$i.txt
    echo "p16_$i rc=$? $(date +%T)"
done
cd $OUT && tar -czf raw.tar.gz *.json *.err && rm -f *.json *.err && ls
