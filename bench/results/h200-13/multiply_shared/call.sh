#!/usr/bin/env bash
# session 9 call 3: call 2 without its tests (188 of 189 passed there): benchmark, cuDNN, ncu
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-gpu.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
WINO_GPU_STEPS="gpu cudnn" WINO_GPU_VARIANTS="cuda_wino_staged_f4_c8_rows cuda_wino_staged_f4_k1_c8_rows cuda_wino_staged_f4_c8_rows_shared cuda_wino_staged_f2_c8 cuda_wino_staged_f4_rows_vshared cuda_wino_staged_f4_c8_rows_vshared" bash scripts/gpu_run.sh > $OUT/log.txt 2>&1
M=gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__inst_executed_pipe_fma.avg.pct_of_peak_sustained_active,lts__throughput.avg.pct_of_peak_sustained_elapsed,launch__shared_mem_per_block_dynamic
for s in 32,64,64,56,56 8,64,64,56,56; do for v in cuda_wino_staged_f4_c8_rows cuda_wino_staged_f4_c8_rows_vshared cuda_wino_staged_f4_rows_vshared; do
  echo "== $v $s" >> $OUT/ncu.txt
  timeout 60 ncu --clock-control none --csv --metrics $M --launch-skip 12 --launch-count 3 $B/wino_bench --shape $s --threads 1 --no-peers --variant $v --benchmark_repetitions=1 --benchmark_min_time=0.001 2>/dev/null | grep -E '^"' | awk -F'","' '{print $5" | "$(NF-2)" | "$NF}' | sed 's/"$//' >> $OUT/ncu.txt
done; done
tail -3 $OUT/log.txt
# The same rows under a JIT register cap of 128 (no spills at 4 blocks per SM for the L1 multiply, h200-12)
HL_CUDA_JIT_MAX_REGISTERS=128 timeout 120 $B/wino_bench --shape 32,64,64,56,56 --shape 8,64,64,56,56 --threads 1 --no-peers --variant cuda_wino_staged_f4_c8_rows --variant cuda_wino_staged_f4_c8_rows_vshared --variant cuda_wino_staged_f4_rows_vshared --benchmark_repetitions=3 2>&1 | sed -n '/^Median/,$p' > $OUT/bench_cap128.txt
