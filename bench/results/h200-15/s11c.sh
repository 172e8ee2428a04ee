#!/usr/bin/env bash
# session 11, one call per thread count (bash s11c.sh 16, then bash s11c.sh 1), both for calibration16/ and
# calibration18/: the host's 16-core Xeon at that thread count: calibrate auto's cost model there
# (wino_bench --calibrate), then the whole CPU suite with auto choosing by it
set -u
t=${1:?usage: s11c.sh THREADS}
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-bench.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib WINO_TUNING_TABLE=$OUT/tuning_t$t.json
B=/tmp/wino/bin
lscpu > $OUT/machine.txt
timeout 560 $B/wino_bench --calibrate --threads $t  --variant direct --variant direct_xvec --variant direct_xvec_pad_image --variant direct_rows --variant wino_fused_f2 --variant wino_fused_f4 --variant wino_fused_f6 --variant wino_fused_f4_7x1 --variant wino_fused_f4_4x2 --variant wino_fused_f4_2x2 --variant wino_fused_f2_4x2 --variant wino_fused_f4_rows --variant wino_fused_f4_4x2_all --variant tuned_direct_band1024_8x1_k2_bands --variant tuned_direct_band1024_8x1 --variant tuned_direct_band2048 --variant tuned_f4_band1024_4x2 --variant tuned_f4_band1024_7x1_channels --variant tuned_f4_2x2_k2_rows --variant tuned_f4_3x3_rows --variant tuned_f4_4x3_k2_rows --variant tuned_f4_5x2 --variant tuned_f6_4x2 --variant auto \
  --benchmark_repetitions=3 --benchmark_out=$OUT/bench_t$t.json --benchmark_out_format=json > $OUT/bench_t$t.txt 2> $OUT/bench_t$t.err
echo rc $?; grep "held out" $OUT/bench_t$t.txt; tail -3 $OUT/bench_t$t.err
