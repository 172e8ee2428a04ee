#!/usr/bin/env bash
# h200-20: direct_7x1 (session 15) on the host's 16-core Xeon: the default
# suite, every direct row, the main fused rows, auto (empty tuning table) and
# oneDNN, at 1 and 16 threads, medians of 5 (interleaved). Carries
# scripts/gpu_bundle.sh bench (built at c32274a; gpu-bundle/wino-bench.tar.xz).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
V=""
for v in auto direct direct_7x1 direct_xvec direct_xvec_pad_image direct_rows tuned_direct_band2048 \
         tuned_direct_band1024_8x1 tuned_direct_band1024_8x1_k2_bands wino_fused_f4_7x1 wino_fused_f4_4x2 \
         wino_fused_f4_4x2_all wino_fused_f2_4x2 tuned_f4_band1024_7x1_channels tuned_f4_band2048_8x1_bands_rows \
         tuned_f4_2x2_k2_rows; do
    V="$V --variant $v"
done
WINO_TUNING_TABLE=$OUT/none.json timeout 500 $bin/wino_bench --threads 1 --threads 16 $V \
  --benchmark_repetitions=5 --benchmark_out=$OUT/bench.json --benchmark_out_format=json 2> $OUT/bench.err \
  | sed -n '/^Median/,$p' > $OUT/bench_medians.txt
gzip -9 $OUT/bench.json $OUT/bench.err
tail -3 $OUT/bench_medians.txt
