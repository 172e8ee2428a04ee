#!/usr/bin/env bash
# h200-27: session 21's taps=rows (direct's first and last output rows skip the row of taps on the
# zero padding) on the host's 16-core Xeon, 1 and 16 threads: the small planes it is for (7², 14²,
# 28²), 56² N = 1 and 8, the tail and the first layer; the direct rows with their all-taps twins,
# auto and auto_nhwc (no tuning table), oneDNN; medians of 5, repetitions interleaved.
# Carries scripts/gpu_bundle.sh bench.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
V="--variant auto --variant auto_nhwc"
for v in direct_xvec direct_7x1 direct_7x1_rowtaps direct_nhwc direct_7x1_nhwc direct_7x1_nhwc_rowtaps \
         direct_8x1_nhwc direct_8x1_nhwc_rowtaps; do
    V="$V --variant $v"
done
S=""
for s in 1,512,512,7,7 1,256,256,14,14 1,128,128,28,28 1,64,64,56,56 8,64,64,56,56 1,24,40,19,23 1,3,64,224,224; do
    S="$S --shape $s"
done
WINO_TUNING_TABLE=$OUT/none.json timeout 500 $bin/wino_bench --threads 1 --threads 16 $S $V \
  --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
  --benchmark_out=$OUT/bench.json --benchmark_out_format=json 2> $OUT/bench.err \
  | sed -n '/^Median/,$p' > $OUT/bench_medians.txt
gzip -9 $OUT/bench.json $OUT/bench.err
tail -3 $OUT/bench_medians.txt
