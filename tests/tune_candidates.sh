#!/usr/bin/env bash
# wino_tune measures the candidates it can build and names the problem of
# each it cannot: taps=rows on a block of two rows (Halide would test the
# predicate per row inside the channel loop), an unknown taps value, and a
# fused block of 3 channel vectors (48 does not divide U's blocks of 32). The
# buildable one is checked against the float64 reference before it is timed.
#   tune_candidates.sh <path of wino_tune>
set -euo pipefail
tune=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$(WINO_TUNING_TABLE="$dir/none.json" "$tune" --shape 1,16,16,8,8 --threads 1 --rounds 1 --log '' \
    --rows "$dir/rows.cmake" --candidate 'direct direct m=0 block=4x2 taps=rows' \
    --candidate 'direct direct m=0 block=7x1 taps=rows' --candidate 'direct direct m=0 block=7x1 taps=edges' \
    --candidate 'winograd fused m=4 block=4x2 k_vectors=3' 2>&1)
echo "$out"
grep -q "block=4x2 taps=rows .*taps=rows needs a register block of one row (block=Xx1), got 2 rows" <<<"$out"
grep -q "block=7x1 taps=edges .*taps='edges': expected 'all' or 'rows'" <<<"$out"
grep -q "k_vectors=3 .*block of 48 output channels (k_vectors=3) must divide U's blocks of 32" <<<"$out"
grep -q "block=7x1 taps=rows .* ms, error" <<<"$out"
grep -q "best .* ms  direct direct m=0 block=7x1 taps=rows" <<<"$out"
