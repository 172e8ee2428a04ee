#!/bin/bash
# auto's analytic pick against the fastest measured row, on every AVX-512 record (scripts/model_check.py),
# both layouts: the Zen 5's runs (sessions 10-26, the AVX2 runs and the reverted band_sum left out) and
# the Xeon host's (h200-22 to h200-29; the raw tarballs unpacked to a temporary folder). Run from the
# repository root after building build/.
set -eu
here=bench/results/zen5-2core/session27/model
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in bench/results/h200-28/xeon16_bands/raw.tar.gz bench/results/h200-29/xeon16_s25/raw.tar.gz \
         bench/results/h200-29/xeon16_s25/raw_more.tar.gz bench/results/h200-29/xeon16_points/raw.tar.gz; do
    d="$tmp/$(echo "$t" | tr / _)"; mkdir -p "$d"; tar -xzf "$t" -C "$d"
done
xeon="$(grep -v '^/tmp' $here/xeon_records.txt | tr '\n' ' ') $(ls "$tmp"/*/*.json | tr '\n' ' ')"
zen5="$(tr '\n' ' ' < $here/zen5_records.txt)"
for lay in nhwc nchw; do
    echo "zen5 $lay: $(/usr/bin/python3 scripts/model_check.py --bin build/bin --layout $lay --quiet $zen5 2>/dev/null | tail -1)"
    /usr/bin/python3 scripts/model_check.py --bin build/bin --layout $lay --quiet $xeon 2>/dev/null | sed "s/^/xeon $lay: /"
done
