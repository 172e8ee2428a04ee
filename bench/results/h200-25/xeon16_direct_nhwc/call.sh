#!/usr/bin/env bash
# h200-25: direct on NHWC tensors (direct_nhwc, direct_7x1_nhwc, direct_8x1_nhwc) on the host's
# 16-core Xeon, 1 and 16 threads, beside the NCHW direct rows, the fused rows
# that led in h200-24 (both layouts), auto and auto_nhwc (no tuning table),
# and oneDNN on its blocked layouts and called on NCHW tensors; the default
# suite plus the two VGG layers; medians of 3 (interleaved). Carries
# scripts/gpu_bundle.sh bench (session 19).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
V="--variant auto --variant auto_nhwc"
for v in direct direct_xvec direct_7x1 direct_rows direct_nhwc direct_7x1_nhwc direct_8x1_nhwc \
         wino_fused_f2_4x2 wino_fused_f4_7x1 wino_fused_f4_rows wino_fused_f4_4x2_groups wino_fused_f4_7x1_groups \
         wino_fused_f2_4x2_groups tuned_f4_band1024_7x1_channels tuned_f4_band2048_8x1_bands_rows \
         wino_fused_f4_nhwc wino_fused_f4_4x2_nhwc wino_fused_f4_7x1_nhwc wino_fused_f4_8x1_nhwc \
         wino_fused_f4_4x2_groups_nhwc wino_fused_f4_7x1_groups_nhwc wino_fused_f2_4x2_groups_nhwc; do
    V="$V --variant $v"
done
S=""
for s in 1,16,16,32,32 1,64,64,64,64 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 8,64,64,56,56 \
         1,24,40,19,23 1,3,64,224,224 1,64,64,224,224 1,128,128,112,112; do S="$S --shape $s"; done
WINO_TUNING_TABLE=$OUT/none.json timeout 560 $bin/wino_bench --threads 1 --threads 16 $S $V \
  --benchmark_repetitions=3 --benchmark_out=$OUT/bench.json --benchmark_out_format=json 2> $OUT/bench.err \
  | sed -n '/^Median/,$p' > $OUT/bench_medians.txt
gzip -9 $OUT/bench.json $OUT/bench.err
tail -3 $OUT/bench_medians.txt
