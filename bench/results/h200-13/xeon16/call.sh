#!/usr/bin/env bash
# session 9 call 5: the host's 16 cores (Xeon): fused rows after the V/M plane padding (9fef171), 1 and 16 threads, against oneDNN
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-gpu.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
lscpu > $OUT/machine.txt
timeout 240 $B/wino_bench --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 \
  --shape 1,64,64,64,64 --shape 8,64,64,56,56 --shape 8,128,128,28,28 --shape 8,256,256,14,14 --shape 32,64,64,56,56 \
  --threads 1 --threads 16 --variant wino_fused_f4_4x2 --variant wino_fused_f4_4x2_all --variant wino_fused_f4_7x1 \
  --variant wino_fused_f2_4x2 --variant tuned_f4_3x3_rows --variant direct --variant auto \
  --benchmark_repetitions=3 --benchmark_out=$OUT/bench_cpu.json --benchmark_out_format=json 2>&1 | sed -n '/^Median/,$p' > $OUT/bench_cpu.txt
tail -5 $OUT/bench_cpu.txt
