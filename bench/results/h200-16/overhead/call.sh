#!/usr/bin/env bash
# h200-16 call 7: the fixed cost of a call on the host's cores: tiny layers (8², 16², 32², C=K=16)
# at 1-16 threads, ours and oneDNN's, back to back
set -u
mkdir -p /tmp/wino && tar -xzf gpu-bundle/wino-bench.tar.gz -C /tmp/wino
export LD_LIBRARY_PATH=/tmp/wino/lib
R=$(mktemp -d)
lscpu > $R/machine.txt
timeout 300 /tmp/wino/bin/wino_bench --shape 1,16,16,8,8 --shape 1,16,16,16,16 --shape 1,16,16,32,32 \
  --threads 1 --threads 2 --threads 4 --threads 8 --threads 16 \
  --variant direct --variant direct_xvec --variant wino_fused_f4_7x1 --variant wino_fused_f2_4x2 \
  --benchmark_repetitions=3 --benchmark_min_time=0.03 --benchmark_out=$R/bench.json --benchmark_out_format=json \
  2>&1 | sed -n '/^Median/,$p' > $R/bench.txt
cat $R/bench.txt
gzip $R/bench.json
tar -czf $OUT/results.tar.gz -C $R .
