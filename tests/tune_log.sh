#!/usr/bin/env bash
# wino_tune chooses among this machine's points only: from a log holding a
# faster point measured on another machine and a slower one from a log that
# predates the machine field, --from-log picks the slower one and says what
# it ignored.
#   tune_log.sh <path of wino_tune>
set -euo pipefail
tune=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/log" <<'LOG'
{"shape":"N1_C16_K16_8x8","threads":1,"key":"winograd fused m=4 block=7x1","ms":0.001,"error":1e-7,"compile_s":1,"failure":"","machine":"another CPU, 64 CPUs, x86-64-linux"}
{"shape":"N1_C16_K16_8x8","threads":1,"key":"winograd fused m=4 block=4x2","ms":0.5,"error":1e-7,"compile_s":1,"failure":""}
LOG
out=$("$tune" --from-log --log "$dir/log" --rows "$dir/rows.cmake" --shape 1,16,16,8,8 --threads 1 2>&1)
echo "$out"
grep -q "ignoring 1 of the points in $dir/log: measured on another machine" <<<"$out"
grep -q "best logged 0.5000 ms  winograd fused m=4 block=4x2" <<<"$out"
grep -q "block=4x2" "$dir/rows.cmake"
if grep -q "block=7x1" "$dir/rows.cmake"; then
    echo "the other machine's point reached the rows" >&2
    exit 1
fi
