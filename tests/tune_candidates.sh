#!/usr/bin/env bash
# wino_tune measures the candidates it can build and names the problem of
# each it cannot: taps=rows on a block of two rows (Halide would test the
# predicate per row inside the channel loop), an unknown taps value, and
# rows of pixels stored into an NHWC output. The buildable ones are checked
# against the float64 reference before they are timed: among them a fused
# block of 3 channel vectors, 48 channels where K = 16 (its lanes past the
# packed weights read a clamped block, computed and never stored).
#   tune_candidates.sh <path of wino_tune>
set -euo pipefail
tune=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$(WINO_TUNING_TABLE="$dir/none.json" "$tune" --shape 1,16,16,8,8 --threads 1 --rounds 1 --log '' \
    --rows "$dir/rows.cmake" --candidate 'direct direct m=0 block=4x2 taps=rows' \
    --candidate 'direct direct m=0 block=7x1 taps=rows' --candidate 'direct direct m=0 block=7x1 taps=edges' \
    --candidate 'winograd fused m=4 layout=nhwc store=rows' --candidate 'winograd fused m=4 block=4x2 k_vectors=3' 2>&1)
echo "$out"
grep -q "block=4x2 taps=rows .*taps=rows needs a register block of one row (block=Xx1), got 2 rows" <<<"$out"
grep -q "block=7x1 taps=edges .*taps='edges': expected 'all' or 'rows'" <<<"$out"
grep -q "store=rows .*layout=nhwc stores vectors of channels; store=rows is for nchw" <<<"$out"
grep -q "block=4x2 k_vectors=3 .* ms, error" <<<"$out"
grep -q "block=7x1 taps=rows .* ms, error" <<<"$out"
grep -qE "best .* ms  (direct direct m=0 block=7x1 taps=rows|winograd fused m=4 block=4x2 k_vectors=3)$" <<<"$out"
