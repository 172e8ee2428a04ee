#!/usr/bin/env bash
# h200-26 call 2: session 20's NHWC direct padding in narrow vectors for C <= 8 and the cost
# model's NHWC gathers, on the host's 16-core Xeon, 1 and 16 threads: the few-channel layers,
# the tail, three ResNet layers; NHWC and NCHW direct rows, the NHWC fused rows, auto and
# auto_nhwc (no tuning table), oneDNN; medians of 3. Carries scripts/gpu_bundle.sh bench.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
V="--variant auto --variant auto_nhwc"
for v in direct direct_xvec direct_7x1 direct_nhwc direct_7x1_nhwc direct_8x1_nhwc \
         wino_fused_f4_7x1 wino_fused_f4_4x2_groups wino_fused_f4_7x1_groups \
         wino_fused_f4_nhwc wino_fused_f4_4x2_nhwc wino_fused_f4_7x1_nhwc wino_fused_f4_8x1_nhwc \
         wino_fused_f4_4x2_groups_nhwc wino_fused_f4_7x1_groups_nhwc wino_fused_f2_4x2_groups_nhwc; do
    V="$V --variant $v"
done
S=""
for s in 1,3,64,224,224 1,4,32,64,64 1,8,32,112,112 1,24,40,19,23 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14; do
    S="$S --shape $s"
done
WINO_TUNING_TABLE=$OUT/none.json timeout 500 $bin/wino_bench --threads 1 --threads 16 $S $V \
  --benchmark_repetitions=3 --benchmark_out=$OUT/bench.json --benchmark_out_format=json 2> $OUT/bench.err \
  | sed -n '/^Median/,$p' > $OUT/bench_medians.txt
gzip -9 $OUT/bench.json $OUT/bench.err
tail -3 $OUT/bench_medians.txt
