#!/usr/bin/env bash
# h200-17 call 2: do the rows tuned on a 2-core Zen 5 at 1 thread carry to the
# host's 16-core Xeon? Hand rows, tuned rows, auto and oneDNN at 1 and 16
# threads on the default layers, medians of 5 (interleaved). Carries
# scripts/gpu_bundle.sh bench.
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-bench.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
lscpu > $OUT/machine.txt
V=""
for v in wino_fused_f4_7x1 wino_fused_f4_4x2 wino_fused_f4_4x2_all wino_fused_f2_4x2 wino_fused_f4_rows \
         tuned_f4_4x3_k2_rows tuned_f4_band1024_7x1_channels tuned_f6_4x2 \
         tuned_f4_band2048_8x1_bands_rows tuned_f2_band128_4x2_bands direct direct_xvec_pad_image auto; do V="$V --variant $v"; done
timeout 540 $B/wino_bench --shape 1,64,64,64,64 --shape 1,512,512,7,7 --shape 1,64,64,56,56 --shape 1,128,128,28,28 \
  --shape 1,256,256,14,14 --shape 8,64,64,56,56 --shape 1,24,40,19,23 --shape 1,16,16,32,32 \
  --threads 1 --threads 16 $V --benchmark_repetitions=5 \
  --benchmark_out=$OUT/bench.json --benchmark_out_format=json 2>&1 | sed -n '/^Median/,$p' > $OUT/bench_medians.txt
gzip -9 $OUT/bench.json
tail -5 $OUT/bench_medians.txt
