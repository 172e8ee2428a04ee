#!/usr/bin/env bash
# h200-28: the host's 16-core Xeon (2 MB L2 per core), carrying scripts/gpu_bundle.sh bench built
# with ab.patch (two temporary environment switches in band_shape_of, not committed):
#   WINO_AB_SIZED_BANDS  bands by the size rule alone (before session 23's balance search)
#   WINO_AB_BUDGET_X     the band's byte budget times this (default budget 512 KB: half the Zen's L2)
# Two device calls (each command has 10 minutes): call.sh suite, then call.sh ab.
# 1. suite.*: where the code stands, 1 and 16 threads, the leading rows, auto/auto_nhwc (no tuning
#    table) and oneDNN; medians of 5, interleaved.
# 2. ab_*: 16 threads, the suite's layers and 32x64x56², balanced against sized bands, alternating processes (this host drifts 10-40%
#    between processes), medians of 3.
# 3. budget_*: 1 and 16 threads, the budget at 1x, 2x and 4x (1 and 2 MB), alternating processes.
set -u
source scripts/gpu_env.sh
lscpu > $OUT/machine.txt
S=""
for s in 1,16,16,32,32 1,64,64,64,64 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,512,512,7,7 \
         8,64,64,56,56 8,256,256,14,14 1,24,40,19,23 1,3,64,224,224; do S="$S --shape $s"; done
B="--variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
   --variant wino_fused_f4_7x1_groups_nhwc --variant wino_fused_f2_4x2_groups_nhwc --variant tuned_f4_4x2_nhwc_all \
   --variant tuned_f6_4x2_nhwc_all --variant wino_fused_f4_7x1 --variant direct_7x1_nhwc_rowtaps \
   --variant direct_8x1_nhwc_rowtaps --variant direct_7x1_rowtaps --variant auto_nhwc"
export WINO_TUNING_TABLE=$OUT/none.json
run() {  # name, then wino_bench arguments
    local name=$1; shift
    timeout 400 $bin/wino_bench $S "$@" --benchmark_enable_random_interleaving=true \
        --benchmark_out=$OUT/$name.json --benchmark_out_format=json 2> $OUT/$name.err \
        | sed -n '/^Median/,$p' > $OUT/$name.txt
    echo "$name rc=$? $(date +%T)"
}
if [ "${1:-}" = suite ]; then
run suite --threads 1 --threads 16 $B --variant auto --variant direct_xvec --variant wino_fused_f4_4x2_groups \
    --variant direct_8x1_k1_nhwc_rowtaps --variant direct_8x1_k3_nhwc_rowtaps --benchmark_repetitions=5
else
S0=$S
S="$S --shape 32,64,64,56,56"
for i in 1 2; do
    run ab_balanced_$i --threads 16 --no-peers $B --benchmark_repetitions=3
    WINO_AB_SIZED_BANDS=1 run ab_sized_$i --threads 16 --no-peers $B --benchmark_repetitions=3
done
BB="--variant wino_fused_f4_7x1_nhwc --variant wino_fused_f4_4x2_nhwc --variant wino_fused_f4_4x2_groups_nhwc \
    --variant wino_fused_f2_4x2_groups_nhwc --variant direct_7x1_nhwc_rowtaps --variant direct_8x1_nhwc_rowtaps"
S=$S0  # 32x64x56² at 1 thread would take most of the call
for x in 1 2 4; do
    WINO_AB_BUDGET_X=$x run budget_x$x --threads 1 --threads 16 --no-peers $BB --benchmark_repetitions=3
done
fi
cd $OUT && tar -czf raw.tar.gz *.json *.err && rm -f *.json *.err && ls
