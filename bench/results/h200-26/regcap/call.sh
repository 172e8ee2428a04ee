#!/usr/bin/env bash
# h200-26 call 1: the register cap the library gives the CUDA JIT (HL_CUDA_JIT_MAX_REGISTERS,
# runtime/halide_hooks.cpp sets 256 unless the user set one) against lower caps, which trade
# spills for occupancy (the staged multiply: 164 registers, 3 blocks of 128 threads per SM).
# The cap is read by Halide's CUDA runtime whenever it loads a module, so one process per cap.
set -u
source scripts/gpu_env.sh
S="--shape 32,64,64,56,56 --shape 8,64,64,56,56 --shape 32,256,256,14,14 --shape 8,256,256,14,14 --shape 8,128,128,28,28"
V="--variant cuda_wino_staged_f4_c8_rows --variant cuda_wino_staged_f4_c8_rows_shared --variant cuda_wino_staged_f4_k1_c8_rows --variant cuda_wino_staged_f4_c8 --variant cuda_wino_staged_f4"
for cap in 256 128 96 256 128 96; do
  echo "== cap $cap" | tee -a $OUT/bench.txt
  HL_CUDA_JIT_MAX_REGISTERS=$cap timeout 100 $bin/wino_bench $S --threads 1 --no-peers $V --benchmark_repetitions=3 \
     2>&1 | sed -n '/^Median/,$p' >> $OUT/bench.txt
done
timeout 200 python3 /tmp/wino/cudnn_peer.py $S --out $OUT/cudnn.jsonl > $OUT/cudnn.txt 2>&1
M=gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active,l1tex__t_bytes_pipe_lsu_mem_local_op_ld.sum,lts__throughput.avg.pct_of_peak_sustained_elapsed
for cap in 256 128 96; do
  echo "== cap $cap cuda_wino_staged_f4_c8_rows 32,64,64,56,56" >> $OUT/ncu.txt
  HL_CUDA_JIT_MAX_REGISTERS=$cap timeout 60 ncu --clock-control none --csv --metrics $M --launch-skip 12 --launch-count 3 $bin/wino_bench --shape 32,64,64,56,56 --threads 1 --no-peers --variant cuda_wino_staged_f4_c8_rows --benchmark_repetitions=1 --benchmark_min_time=0.001 2>/dev/null | grep -E '^"' | awk -F'","' '{print $5" | "$(NF-2)" | "$NF}' | sed 's/"$//' >> $OUT/ncu.txt
done
HL_CUDA_JIT_MAX_REGISTERS=128 timeout 200 $bin/test_variants --gtest_filter='*cuda_wino_staged_f4_c8_rows*' --gtest_brief=1 2>&1 | tail -3 > $OUT/tests_cap128.txt
{ nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv; lscpu | grep 'Model name'; } > $OUT/machine.txt
cat $OUT/bench.txt | head -5
