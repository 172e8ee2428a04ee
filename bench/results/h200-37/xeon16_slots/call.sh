#!/usr/bin/env bash
# h200-37: WINO_SAME_SLOTS (a top-level loop of at most one task per thread gives each thread the
# iteration of its oneTBB arena slot, so that a thread runs the same slice of work, and of the
# weights, call after call) at 16 threads, off (0) against on (1), alternated processes.
# 1) wino_profile --timeline, two rounds: `same` is how often a top-level task ran on the same
# thread as in the call before; 2) wino_bench without peers, two rounds; 3) one wino_bench process
# with oneDNN, setting on. Carries scripts/gpu_bundle.sh bench built with the session-32 runtime.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S="--shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56"
V="--variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f4_7x1_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc"
mkdir -p $OUT/raw
for round in 1 2; do
    for same in 0 1; do
        WINO_SAME_SLOTS=$same timeout 60 $bin/wino_profile --timeline $S $V --threads 16 --calls 21 --seconds 0.1 \
            > $OUT/raw/timeline_same${same}_r$round.txt 2>&1
        echo "timeline same=$same round=$round rc=$? $(date +%T)"
    done
done
export WINO_TUNING_TABLE=$OUT/none.json
for round in 1 2; do
    for same in 0 1; do
        WINO_SAME_SLOTS=$same timeout 100 $bin/wino_bench $S $V --no-peers --threads 16 --benchmark_repetitions=5 \
            --benchmark_format=json --benchmark_out=$OUT/raw/bench_same${same}_r$round.json > /dev/null 2>&1
        echo "bench same=$same round=$round rc=$? $(date +%T)"
    done
done
timeout 150 $bin/wino_bench $S $V --threads 16 --benchmark_repetitions=5 \
    --benchmark_format=json --benchmark_out=$OUT/raw/bench_peers.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/bench_peers.txt
echo "bench peers rc=$? $(date +%T)"
tar -czf $OUT/raw.tar.gz -C $OUT raw && rm -rf $OUT/raw
ls $OUT
