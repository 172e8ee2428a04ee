#!/usr/bin/env bash
# h200-39: direct with parallel=groups (the weight blocks in a group per thread, outermost, so that
# a thread keeps its group's weights in its L2 from call to call) against the same direct rows with
# channel blocks nested in bands, at 16 and 1 threads, with oneDNN, two processes. Carries
# scripts/gpu_bundle.sh bench built from the session-32 tree with the two groups rows.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
S="--shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56 --shape 1,64,64,64,64 --shape 1,24,40,19,23 --shape 1,3,64,224,224"
V="--variant direct_7x1 --variant direct_7x1_groups --variant direct_7x1_rowtaps --variant direct_7x1_nhwc_rowtaps \
   --variant direct_7x1_nhwc_rowtaps_groups --variant direct_8x1_nhwc_rowtaps --variant direct_rows"
for round in 1 2; do
    timeout 200 $bin/wino_bench $S $V --threads 16 --threads 1 --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
        --benchmark_format=json --benchmark_out=$OUT/bench_r$round.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/medians_r$round.txt
    echo "bench round=$round rc=${PIPESTATUS[0]} $(date +%T)"
done
gzip -9 $OUT/*.json
ls $OUT
