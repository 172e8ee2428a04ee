#!/usr/bin/env bash
# h200-48: do session 39's F(6,3) rows (5x1 tiles by 4 vectors, plain and pad=inline; measured on
# a Zen 4) carry to the GPU machine's 16-core host? 28² and 8x56² (where they won on the Zen 4), 1
# and 16 threads, against the rows that won these cells there in h200-46; oneDNN in the same
# process. Session 40 widened it to 1x64x56² and 64² (the original finding's plane), timeout 330. Carries
# scripts/gpu_bundle.sh bench built from the session's HEAD.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
timeout 330 $bin/wino_bench --threads 1 --threads 16 \
    --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 8,64,64,56,56 --shape 1,64,64,64,64 \
    --variant wino_fused_f6_5x1_k4_nhwc --variant wino_fused_f6_5x1_k4_inline_nhwc \
    --variant wino_fused_f4_3x2_k4_inline_nhwc --variant wino_fused_f4_7x1_groups_inline_nhwc \
    --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
    --benchmark_format=json --benchmark_out=$OUT/bench.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/medians.txt
echo "bench rc=${PIPESTATUS[0]} $(date +%T)"
gzip -9 $OUT/bench.json
ls $OUT
