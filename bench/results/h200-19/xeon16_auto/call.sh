#!/usr/bin/env bash
# h200-19: direct's 4-lane padding and auto's padding-aware model (session 15)
# on the host's 16-core Xeon: h200-18's ten untuned layers plus the default
# suite's two smallest, at 1 and 16 threads; every CPU direct and fused row,
# auto with no tuning table and no calibration, and oneDNN, medians of 5
# (interleaved). Carries scripts/gpu_bundle.sh bench.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
V="--variant auto"
for v in direct direct_xvec direct_xvec_pad_image direct_rows wino_fused_f2 wino_fused_f4 wino_fused_f6 \
         wino_fused_f4_7x1 wino_fused_f4_4x2 wino_fused_f4_2x2 wino_fused_f2_4x2 wino_fused_f4_rows \
         wino_fused_f4_4x2_all tuned_direct_band1024_8x1_k2_bands tuned_direct_band1024_8x1 tuned_direct_band2048 \
         tuned_f4_band1024_4x2 tuned_f4_band1024_7x1_channels tuned_f4_2x2_k2_rows tuned_f4_3x3_rows \
         tuned_f4_4x3_k2_rows tuned_f4_5x2 tuned_f6_4x2 tuned_f4_band2048_8x1_bands_rows tuned_f2_band128_4x2_bands; do
    V="$V --variant $v"
done
WINO_TUNING_TABLE=$OUT/none.json timeout 500 $bin/wino_bench --threads 1 --threads 16 \
  --shape 1,32,32,48,48 --shape 1,96,128,24,24 --shape 2,48,48,40,40 --shape 1,200,200,10,10 \
  --shape 1,64,32,80,80 --shape 1,12,20,50,50 --shape 4,32,64,28,28 --shape 1,128,256,13,13 \
  --shape 1,8,16,32,32 --shape 1,16,32,64,64 --shape 1,16,16,32,32 --shape 1,24,40,19,23 $V \
  --benchmark_repetitions=5 --benchmark_out=$OUT/bench.json --benchmark_out_format=json 2> $OUT/bench.err \
  | sed -n '/^Median/,$p' > $OUT/bench_medians.txt
gzip -9 $OUT/bench.json $OUT/bench.err
tail -3 $OUT/bench_medians.txt
