#!/usr/bin/env bash
# h200-39, second call: the direct rows of the first call on the small planes only, at 16 threads,
# four more processes, to see whether the groups rows' differences outlast this host's noise.
# Same bundle as the first call (it still has the NCHW groups row, dropped from the table after).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
S="--shape 1,512,512,7,7 --shape 1,256,256,14,14 --shape 1,128,128,28,28"
V="--variant direct_7x1 --variant direct_7x1_groups --variant direct_7x1_rowtaps --variant direct_7x1_nhwc_rowtaps \
   --variant direct_7x1_nhwc_rowtaps_groups"
for round in 1 2 3 4; do
    timeout 100 $bin/wino_bench $S $V --threads 16 --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
        2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/medians_r$round.txt
    echo "bench round=$round rc=${PIPESTATUS[0]} $(date +%T)"
done
ls $OUT
