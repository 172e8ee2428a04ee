#!/usr/bin/env bash
# h200-53 (session 42): does a call's thread count by its work (RunOptions::threads_by_work, commit
# 1fd2892, where it was on by default) help the small layers at 16 threads, and cost the large ones nothing?
# The same rows and shapes at 16 threads twice: as the library now runs them (default/) and with
# every call on all 16 threads (--all-threads, all/); each run has its own oneDNN peers. Then the
# pool's timeline of the small layers as they now run. Carries scripts/gpu_bundle.sh bench.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
export WINO_TUNING_TABLE=$OUT/none.json
root=$OUT
rows="--variant direct_8x1_k1_nhwc_rowtaps_blocks --variant direct_6x1_k3_nhwc_rowtaps_blocks --variant direct_3x2_k4_nhwc
 --variant direct_7x1_nhwc_rowtaps_blocks --variant direct_8x1_nhwc_rowtaps_blocks --variant wino_fused_f4_4x2_k1_all_nhwc
 --variant wino_fused_f4_4x2_k3_nhwc --variant wino_fused_f6_4x2_k3_nhwc --variant wino_fused_f4_4x2_points_nhwc
 --variant wino_fused_f4_7x1_groups_inline_nhwc --variant wino_fused_f4_7x1_nhwc --variant auto_nhwc"
shapes="--shape 1,16,16,32,32 --shape 1,24,40,19,23 --shape 1,3,64,224,224 --shape 1,512,512,7,7 --shape 1,256,256,14,14
 --shape 1,128,128,28,28 --shape 1,64,64,56,56 --shape 8,64,64,56,56"
for mode in default all; do
    mkdir -p $root/$mode
    flag=""
    [ $mode = all ] && flag=--all-threads
    OUT=$root/$mode bench_limit=240 run_bench --threads 16 $shapes $rows $flag --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
done
timeout 60 $bin/wino_profile --timeline --threads 16 --calls 50 --chart 100 --seconds 0.5 --shape 1,16,16,32,32 --shape 1,24,40,19,23 \
    --variant direct_8x1_k1_nhwc_rowtaps_blocks --variant wino_fused_f4_4x2_k1_all_nhwc --variant direct_6x1_k3_nhwc_rowtaps_blocks > $root/timeline.txt 2>&1
echo "timeline rc=$? $(date +%T)"
ls -R $root
