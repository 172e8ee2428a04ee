#!/usr/bin/env bash
# h200-29: the host's 16-core Xeon after session 25 (the fused schedule's k split into register
# blocks first; the row wino_fused_f4_4x2_k1_all_nhwc; auto's micro-kernel factor). Carries
# scripts/gpu_bundle.sh bench built from main. One device call:
# 1. suite.*: 1 and 16 threads, the leading rows, auto/auto_nhwc (no tuning table) and oneDNN;
#    medians of 5, repetitions interleaved at random.
# 2. again16.*: the same at 16 threads only, a second process (this host drifts between processes).
# A second call (call.sh more) ran two more processes at 16 threads: again16_b, again16_c.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S=""
for s in 1,16,16,32,32 1,64,64,64,64 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 \
         8,64,64,56,56 8,256,256,14,14 1,24,40,19,23 1,3,64,224,224; do S="$S --shape $s"; done
B="--variant auto --variant auto_nhwc --variant direct_xvec --variant direct_7x1_rowtaps \
   --variant direct_7x1_nhwc_rowtaps --variant direct_8x1_nhwc_rowtaps --variant direct_8x1_k3_nhwc_rowtaps \
   --variant direct_8x1_k1_nhwc_rowtaps --variant direct_8x3_k1_nhwc --variant wino_fused_f2_4x2_groups_nhwc \
   --variant wino_fused_f4_7x1 --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_7x1_nhwc \
   --variant wino_fused_f4_4x2_groups_nhwc --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f4_4x2_k3_nhwc \
   --variant wino_fused_f6_4x2_k3_nhwc --variant tuned_f4_4x2_nhwc_all --variant wino_fused_f4_4x2_k1_all_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
run() {  # name, then wino_bench arguments
    local name=$1; shift
    timeout 330 $bin/wino_bench $S $B "$@" --benchmark_enable_random_interleaving=true \
        --benchmark_out=$OUT/$name.json --benchmark_out_format=json 2> $OUT/$name.err \
        | sed -n '/^Median/,$p' > $OUT/$name.txt
    echo "$name rc=$? $(date +%T)"
}
if [ "${1:-}" = more ]; then  # the second call: two more processes at 16 threads
    run again16_b --threads 16 --benchmark_repetitions=5
    run again16_c --threads 16 --benchmark_repetitions=5
else
    run suite --threads 1 --threads 16 --benchmark_repetitions=5
    run again16 --threads 16 --benchmark_repetitions=5
fi
cd $OUT && tar -czf raw${1:+_$1}.tar.gz *.json *.err && rm -f *.json *.err && ls
