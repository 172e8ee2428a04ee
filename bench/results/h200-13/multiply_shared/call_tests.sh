#!/usr/bin/env bash
# session 9 call 2: multiply=shared with the channel block and the transform point as block indices of their own
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-gpu.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
timeout 150 $B/test_variants --gtest_filter='*_vshared*' --gtest_brief=1 2>&1 | tail -4 | tee $OUT/tests.txt
if grep -q FAILED $OUT/tests.txt; then timeout 100 $B/test_variants --gtest_filter='*_vshared*' 2>&1 | grep -E 'FAILED|rror|Expected|Which|max' | head -30 >> $OUT/tests.txt; exit 1; fi
timeout 60 $B/test_api --gtest_filter='ApiGpu*' --gtest_brief=1 2>&1 | tail -3 | tee -a $OUT/tests.txt
WINO_GPU_STEPS="gpu cudnn" WINO_GPU_VARIANTS="cuda_wino_staged_f4_c8_rows cuda_wino_staged_f4_k1_c8_rows cuda_wino_staged_f4_c8_rows_shared cuda_wino_staged_f2_c8 cuda_wino_staged_f4_rows_vshared cuda_wino_staged_f4_c8_rows_vshared cuda_wino_staged_f4_k1_c8_rows_vshared" bash scripts/gpu_run.sh > $OUT/log.txt 2>&1
M=gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__inst_executed_pipe_fma.avg.pct_of_peak_sustained_active,lts__throughput.avg.pct_of_peak_sustained_elapsed,launch__shared_mem_per_block_dynamic
for s in 32,64,64,56,56 8,64,64,56,56; do for v in cuda_wino_staged_f4_c8_rows cuda_wino_staged_f4_c8_rows_vshared cuda_wino_staged_f4_rows_vshared; do
  echo "== $v $s" >> $OUT/ncu.txt
  timeout 60 ncu --clock-control none --csv --metrics $M --launch-skip 12 --launch-count 3 $B/wino_bench --shape $s --threads 1 --no-peers --variant $v --benchmark_repetitions=1 --benchmark_min_time=0.001 2>/dev/null | grep -E '^"' | awk -F'","' '{print $5" | "$(NF-2)" | "$NF}' | sed 's/"$//' >> $OUT/ncu.txt
done; done
tail -3 $OUT/log.txt
# The same rows under a JIT register cap of 128 (no spills at 4 blocks per SM for the L1 multiply, h200-12)
HL_CUDA_JIT_MAX_REGISTERS=128 timeout 120 $B/wino_bench --shape 32,64,64,56,56 --shape 8,64,64,56,56 --threads 1 --no-peers --variant cuda_wino_staged_f4_c8_rows --variant cuda_wino_staged_f4_c8_rows_vshared --variant cuda_wino_staged_f4_rows_vshared --variant cuda_wino_staged_f4_k1_c8_rows_vshared --benchmark_repetitions=3 2>&1 | sed -n '/^Median/,$p' > $OUT/bench_cap128.txt
