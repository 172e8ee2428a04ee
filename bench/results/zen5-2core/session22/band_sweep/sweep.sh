# The fused NHWC rows 7x1 and 4x2 at five band budgets on seven layers (JIT, rounds interleaved).
# usage (from the repository root): bash bench/results/zen5-2core/session22/band_sweep/sweep.sh THREADS > tT.txt
t=$1; shift
args=(); for s in 1,64,64,56,56 1,128,128,28,28 1,256,256,14,14 1,128,128,112,112 8,64,64,56,56 1,24,40,19,23 1,64,64,64,64; do args+=(--shape $s); done
for b in 7x1 4x2; do for kb in 64 128 256 512 1024; do args+=(--candidate "winograd fused m=4 block=$b layout=nhwc band_kb=$kb"); done; done
WINO_TUNING_TABLE=/nonexistent/x.json build/bin/wino_tune --threads $t --rounds 5 --log '' --rows /tmp/rows.cmake --layout nhwc "${args[@]}" 2>&1 | grep ' ms,'
