#!/bin/bash
# JIT A/B of taps=rows against the same block with all taps (wino_tune
# --candidate: interleaved rounds, the fastest of 3 kept), from the repository
# root. Usage: jit_ab.sh THREADS N,C,K,H,W ...
# (The jit_*.txt files before jit_rows_*.txt ran with the predicate switched
# by an environment variable in generators/algorithms.h, EXP_TAPS: "none" =
# all taps, "rows" = the row predicate (= taps=rows), "all" = rows and columns,
# "likely"/"likely2" = the same wrapped in Halide's likely(); their lines
# print "taps=valid" for the predicated candidate.)
T=$1; shift
S=""; for s in "$@"; do S="$S --shape $s"; done
C=""
for b in "block=7x1" "block=7x1 layout=nhwc" "block=8x1 layout=nhwc"; do
  C="$C --candidate 'direct direct m=0 $b' --candidate 'direct direct m=0 $b taps=rows'"
done
eval WINO_TUNING_TABLE=/nonexistent/x.json build/bin/wino_tune $S --threads $T --rounds 3 --log "''" --rows /tmp/rows.cmake $C
