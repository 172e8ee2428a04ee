#!/usr/bin/env bash
# h200-35: WINO_HOLD_US (a thread that finished its task of a top-level loop of at most one task per
# thread waits for the loop's last task instead of going back to oneTBB, where it falls asleep
# and is woken late by the next call: h200-34) at 16 threads, off (0) against on (2000 us),
# alternated processes. 1) wino_profile --timeline, three rounds; 2) wino_bench without peers, two
# rounds. Carries scripts/gpu_bundle.sh bench built with the WINO_HOLD_US runtime (session 31).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56"
V="--variant direct_8x1_nhwc_rowtaps --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_points_nhwc --variant wino_fused_f2_4x2_points_nhwc"
mkdir -p $OUT/raw
for round in 1 2 3; do
    for hold in 0 2000; do
        WINO_HOLD_US=$hold timeout 60 $bin/wino_profile --timeline $S $V --threads 16 --calls 21 --seconds 0.1 \
            > $OUT/raw/timeline_hold${hold}_r$round.txt 2>&1
        echo "timeline hold=$hold round=$round rc=$? $(date +%T)"
    done
done
export WINO_TUNING_TABLE=$OUT/none.json
for round in 1 2; do
    for hold in 0 2000; do
        WINO_HOLD_US=$hold timeout 100 $bin/wino_bench $S $V --no-peers --threads 16 --benchmark_repetitions=5 \
            --benchmark_format=json --benchmark_out=$OUT/raw/bench_hold${hold}_r$round.json > /dev/null 2>&1
        echo "bench hold=$hold round=$round rc=$? $(date +%T)"
    done
done
tar -czf $OUT/raw.tar.gz -C $OUT raw && rm -rf $OUT/raw
ls $OUT
