#!/usr/bin/env bash
# h200-30, second call: what a small layer pays on the 16-core Xeon host at 16 threads. In threads/,
# 1x16x32² k1_all took 0.025 ms at 1 thread and 0.022-0.024 at 2 to 16, where oneDNN went 0.046 ->
# 0.010. (Halide's profiler puts a many-thread call's time in the stage the calling thread waits in,
# so it cannot say.) Carries a bundle of wino_bench and wino_profile built from main
# (scripts/gpu_bundle.sh's steps, by hand).
set -u
source scripts/gpu_env.sh
# The pool's spinners (runtime/halide_hooks.cpp keep_warm: for 20 ms after a loop that came after a
# gap, T - 1 spinner tasks are enqueued after every loop): off (WINO_SPIN_US=0) against the default,
# processes alternated, 16 threads, calls back to back as above.
S="--shape 1,16,16,8,8 --shape 1,16,16,32,32 --shape 1,256,256,14,14"
V="--variant wino_fused_f4_4x2_k1_all_nhwc --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_4x2_points_nhwc"
for spin in 2000 0; do
    echo "== WINO_SPIN_US=$spin" >> $OUT/spin.txt
    WINO_SPIN_US=$spin timeout 40 $bin/wino_bench $S $V --threads 16 --benchmark_repetitions=3 --benchmark_min_time=0.1 \
        --benchmark_enable_random_interleaving=true 2>/dev/null | sed -n '/^Median/,$p' >> $OUT/spin.txt
    echo "spin=$spin rc=$? $(date +%T)"
done
