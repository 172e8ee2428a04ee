#!/usr/bin/env bash
# h200-34: where the 16 threads go on N=1 layers, where our rows scale 5-8x and oneDNN's 8-13x
# (h200-29/33). wino_profile --timeline (a trace of the pool, the median of 21 traced calls) at 16
# and 8 threads, and at 16 on the OpenMP pool; then wino_bench with oneDNN at 16 threads for the
# same layers. Carries scripts/gpu_bundle.sh bench built from 613d1a5's sources (wino_profile in it).
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S="--shape 1,16,16,32,32 --shape 1,64,64,56,56 --shape 1,128,128,28,28 --shape 1,256,256,14,14 --shape 1,512,512,7,7 --shape 8,64,64,56,56"
V="--variant direct_8x1_nhwc_rowtaps --variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc \
   --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_points_nhwc"
mkdir -p $OUT/json
for run in t16 t8 t16_openmp; do
    t=${run#t}; t=${t%_openmp}; pool=tbb; [ "${run#*_}" = openmp ] && pool=openmp
    WINO_POOL=$pool timeout 120 $bin/wino_profile --timeline $S $V --threads $t --calls 21 --seconds 0.2 --chart 100 \
        --json $OUT/json/timeline_$run.json > $OUT/timeline_$run.txt 2>&1
    echo "$run rc=$? $(date +%T)"
done
export WINO_TUNING_TABLE=$OUT/none.json
timeout 200 $bin/wino_bench $S $V --variant auto_nhwc --threads 16 --benchmark_repetitions=5 \
    --benchmark_format=json --benchmark_out=$OUT/json/bench_t16.json 2>&1 | sed -n '/^CPU: /,/^[0-9]* benchmarks/p;/^Median/,$p' > $OUT/bench_t16.txt
echo "bench rc=$? $(date +%T)"
tar -czf $OUT/json.tar.gz -C $OUT json && rm -rf $OUT/json
ls $OUT
