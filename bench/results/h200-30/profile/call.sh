#!/usr/bin/env bash
# h200-30, second call: where a small layer's time goes on the 16-core Xeon host as threads are
# added (wino_profile: Halide's profiler, per phase). In threads/, 1x16x32² k1_all took 0.025 ms
# at 1 thread and 0.022-0.024 at 2 to 16, where oneDNN went 0.046 -> 0.010. Carries a bundle of
# wino_bench and wino_profile built from main (scripts/gpu_bundle.sh's steps, by hand).
set -u
source scripts/gpu_env.sh
for t in 1 2 16; do
    timeout 60 $bin/wino_profile --shape 1,16,16,32,32 --shape 1,256,256,14,14 --threads $t --seconds 2 \
        --variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
        --variant wino_fused_f4_4x2_points_nhwc --variant direct_8x1_nhwc_rowtaps >> $OUT/profile.txt 2>&1
    echo "t=$t rc=$? $(date +%T)"
done
