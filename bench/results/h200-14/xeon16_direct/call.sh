#!/usr/bin/env bash
# session 10 call 1: the host's 16-core Xeon, the direct schedule's channel-tail split (438be73) and pad=image (ef7c0c5): small layers and a few ResNet ones, 1, 2 and 16 threads, against oneDNN; direct variants' float64 tests there
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-gpu.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
lscpu > $OUT/machine.txt
timeout 150 $B/test_variants --gtest_filter='*direct*:-*cuda*' 2>&1 | tail -3 > $OUT/tests_direct.txt
timeout 330 $B/wino_bench --shape 1,16,16,32,32 --shape 1,24,40,19,23 --shape 1,3,64,224,224 --shape 1,64,64,56,56 \
  --shape 1,256,256,14,14 --shape 8,64,64,56,56 --threads 1 --threads 2 --threads 16 \
  --variant direct --variant direct_xvec --variant direct_xvec_pad_image --variant direct_rows --variant tuned_direct_band1024_8x1 \
  --variant wino_fused_f4_7x1 --variant tuned_f4_4x3_k2_rows --variant tuned_f6_4x2 --variant wino_fused_f4_4x2_all --variant auto \
  --benchmark_repetitions=3 --benchmark_out=$OUT/bench_cpu.json --benchmark_out_format=json 2>&1 | sed -n '/^Median/,$p' > $OUT/bench_cpu.txt
cat $OUT/tests_direct.txt; tail -3 $OUT/bench_cpu.txt
