# h200-35: WINO_HOLD_US=2000 against 0, per layer and row: the untraced medians of wino_profile
# --timeline (three rounds) and wino_bench's medians (two rounds), and the hand-out lag.
# Usage: python3 compare.py <folder with raw/>
import glob, json, math, re, statistics, sys, collections
d = sys.argv[1]
tl = collections.defaultdict(list)   # (hold, shape, variant) -> [(untraced, lag, util)]
for f in glob.glob(f"{d}/raw/timeline_hold*_r*.txt"):
    hold = int(re.search(r"hold(\d+)", f).group(1))
    shape = None
    for line in open(f):
        m = re.match(r"(N\d+_C\d+_K\d+_\d+x\d+),", line)
        if m: shape = m.group(1); continue
        p = line.split()
        if len(p) >= 12 and p[0].startswith(("wino", "direct")):
            tl[(hold, shape, p[0])].append((float(p[1]), float(p[-2]), float(p[3].rstrip("%"))))
bench = collections.defaultdict(list)
for f in glob.glob(f"{d}/raw/bench_hold*_r*.json"):
    hold = int(re.search(r"hold(\d+)", f).group(1))
    for b in json.load(open(f))["benchmarks"]:
        if b.get("aggregate_name") != "median": continue
        v, shape = b["run_name"].split("/")[:2]
        bench[(hold, shape, v)].append(b["real_time"])
keys = sorted({k[1:] for k in tl})
print("| layer | row | timeline ms, hold off / on | lag us, off / on | busy, off / on | bench ms, off / on | on / off (bench) |")
print("|---|---|---|---|---|---|---|")
logs_t, logs_b = [], []
for s, v in keys:
    a, b = tl[(0, s, v)], tl[(2000, s, v)]
    ta, tb = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
    la, lb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
    ua, ub = statistics.median(x[2] for x in a), statistics.median(x[2] for x in b)
    ba, bb = bench.get((0, s, v)), bench.get((2000, s, v))
    logs_t.append(math.log(tb / ta))
    bcell, rcell = "-", "-"
    if ba and bb:
        ma, mb = statistics.median(ba), statistics.median(bb)
        logs_b.append(math.log(mb / ma))
        bcell, rcell = f"{ma:.4f} / {mb:.4f}", f"{mb / ma:.2f}"
    print(f"| {s} | {v} | {ta:.4f} / {tb:.4f} | {la:.1f} / {lb:.1f} | {ua:.0f}% / {ub:.0f}% | {bcell} | {rcell} |")
print(f"\ngeometric mean on / off: timeline {math.exp(statistics.mean(logs_t)):.3f} ({len(logs_t)} cells), "
      f"bench {math.exp(statistics.mean(logs_b)):.3f} ({len(logs_b)} cells)")
