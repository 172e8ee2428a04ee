#!/usr/bin/env python3
"""openmp / tbb per cell from bench.tar.gz's wino_bench medians (three alternated processes per pool):
the ratio of the pools' medians over the rounds, and the geometric mean over cells."""
import math, re, statistics, sys, tarfile, collections
tar = tarfile.open(sys.argv[1] if len(sys.argv) > 1 else "bench.tar.gz")
runs = collections.defaultdict(lambda: collections.defaultdict(list))  # (layer, t, variant) -> pool -> [ms]
for m in tar.getmembers():
    hit = re.match(r"bench_(tbb|openmp)_r\d\.txt", m.name)
    if not hit: continue
    layer = t = None
    for line in tar.extractfile(m).read().decode().splitlines():
        h = re.match(r"(N\d+_\S+), padding \d, (\d+) thread", line)
        if h: layer, t = h.group(1), int(h.group(2)); continue
        r = re.match(r"(\S+)\s+([0-9.]+)\s", line)
        if layer and r and not line.startswith("variant"):
            runs[(layer, t, r.group(1))][hit.group(1)].append(float(r.group(2)))
print("| layer | threads | variant | tbb ms (median of 3) | openmp / tbb |")
print("|---|---|---|---|---|")
by_t = collections.defaultdict(list)
for (layer, t, v), pools in sorted(runs.items()):
    if len(pools["tbb"]) < 1 or len(pools["openmp"]) < 1: continue
    a, b = statistics.median(pools["tbb"]), statistics.median(pools["openmp"])
    by_t[t].append(b / a)
    print(f"| {layer} | {t} | {v} | {a:.4f} | {b / a:.3f} |")
for t, rs in sorted(by_t.items()):
    print(f"\n{t} threads: openmp / tbb geometric mean {math.exp(sum(map(math.log, rs)) / len(rs)):.3f} over {len(rs)} cells"
          f" (range {min(rs):.2f}-{max(rs):.2f})")
