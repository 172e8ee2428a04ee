#!/usr/bin/env bash
# h200-21 call 1: the staged multiply with 2 tiles per thread (whole 14-tile rows at 56²) and 4 or 8
# float4s of output channels, beside the committed rows; tests, cuDNN and ncu from the same call
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-gpu-only.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
F='*staged_f4_t2_k4*:*staged_f4_t2_k8*:*staged_f4_t2_c8*:*staged_f4_k4_c8_rows*'
timeout 200 $B/test_variants --gtest_filter="$F" --gtest_brief=1 2>&1 | tail -4 | tee $OUT/tests.txt
if grep -q FAILED $OUT/tests.txt; then timeout 100 $B/test_variants --gtest_filter="$F" 2>&1 | grep -E 'FAILED|rror|Expected|Which|max' | head -30 >> $OUT/tests.txt; fi
V="cuda_wino_staged_f4_c8_rows cuda_wino_staged_f4_k1_c8_rows cuda_wino_staged_f4_c8_rows_shared cuda_wino_staged_f4_c8 cuda_wino_staged_f4_t2_k4_c8 cuda_wino_staged_f4_t2_k4_c8_rows cuda_wino_staged_f4_t2_k8 cuda_wino_staged_f4_t2_c8 cuda_wino_staged_f4_k4_c8_rows"
WINO_GPU_STEPS="gpu cudnn" WINO_GPU_VARIANTS="$V" bash scripts/gpu_run.sh > $OUT/log.txt 2>&1
M=gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__throughput.avg.pct_of_peak_sustained_elapsed,l1tex__throughput.avg.pct_of_peak_sustained_active,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active
for s in 32,64,64,56,56; do for v in cuda_wino_staged_f4_c8_rows cuda_wino_staged_f4_c8 cuda_wino_staged_f4_t2_k4_c8 cuda_wino_staged_f4_t2_k4_c8_rows cuda_wino_staged_f4_t2_k8 cuda_wino_staged_f4_k4_c8_rows; do
  echo "== $v $s" >> $OUT/ncu.txt
  timeout 60 ncu --clock-control none --csv --metrics $M --launch-skip 12 --launch-count 3 $B/wino_bench --shape $s --threads 1 --no-peers --variant $v --benchmark_repetitions=1 --benchmark_min_time=0.001 2>/dev/null | grep -E '^"' | awk -F'","' '{print $5" | "$(NF-2)" | "$NF}' | sed 's/"$//' >> $OUT/ncu.txt
done; done
tail -3 $OUT/log.txt
