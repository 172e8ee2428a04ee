#!/usr/bin/env bash
# h200-17 call 1: the staged input transform with lanes sized to the row of
# tiles (4, 8, 16 or 32, rows per warp for the rest): GPU tests, every cuda_
# row against cuDNN, ncu per kernel of the staged rows on the planes it changes.
# Carries scripts/gpu_bundle.sh gpu-only.
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-gpu-only.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
B=/tmp/wino/bin
WINO_GPU_STEPS="tests gpu cudnn" bash scripts/gpu_run.sh > $OUT/log.txt 2>&1
M=gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__throughput.avg.pct_of_peak_sustained_elapsed,l1tex__throughput.avg.pct_of_peak_sustained_active
for s in 32,64,64,56,56 8,64,64,56,56 1,64,64,64,64 8,128,128,28,28 1,128,128,28,28; do for v in cuda_wino_staged_f4_c8_rows; do
  echo "== $v $s" >> $OUT/ncu.txt
  timeout 60 ncu --clock-control none --csv --metrics $M --launch-skip 12 --launch-count 3 $B/wino_bench --shape $s --threads 1 --no-peers --variant $v --benchmark_repetitions=1 --benchmark_min_time=0.001 2>/dev/null | grep -E '^"' | awk -F'","' '{print $5" | "$(NF-2)" | "$NF}' | sed 's/"$//' >> $OUT/ncu.txt
done; done
tail -3 $OUT/log.txt
