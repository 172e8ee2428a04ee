#!/usr/bin/env bash
# h200-36: how the threads' own work grows with the thread count (1, 2, 4, 8, 16) on N=1 layers and
# N=8, from wino_profile --timeline (work per thread, summed: the work the call did), next to
# oneDNN's time x threads from wino_bench. Carries scripts/gpu_bundle.sh bench as h200-35.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S="--shape 1,64,64,56,56 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56"
V="--variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f2_4x2_groups_nhwc --variant wino_fused_f2_4x2_points_nhwc --variant direct_8x1_nhwc_rowtaps"
mkdir -p $OUT/raw
for t in 1 2 4 8 16; do
    timeout 90 $bin/wino_profile --timeline $S $V --threads $t --calls 21 --seconds 0.1 \
        --json $OUT/raw/timeline_t$t.json > $OUT/raw/timeline_t$t.txt 2>&1
    echo "timeline t=$t rc=$? $(date +%T)"
done
export WINO_TUNING_TABLE=$OUT/none.json
timeout 200 $bin/wino_bench $S --variant wino_fused_f2_4x2_groups_nhwc --threads 1 --threads 4 --threads 16 \
    --benchmark_repetitions=5 --benchmark_format=json --benchmark_out=$OUT/raw/bench.json > /dev/null 2>&1
echo "bench rc=$? $(date +%T)"
tar -czf $OUT/raw.tar.gz -C $OUT raw && rm -rf $OUT/raw
ls $OUT
