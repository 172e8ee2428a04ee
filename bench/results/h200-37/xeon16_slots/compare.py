# h200-37: WINO_SAME_SLOTS=1 against 0, per layer and row: the untraced medians of wino_profile
# --timeline (two rounds), the share of top-level tasks on the same thread as in the call before
# (`same`), and wino_bench's medians (two rounds, no peers).
# Usage: python3 compare.py <folder with raw/>
import glob, json, math, re, statistics, sys, collections
d = sys.argv[1]
tl = collections.defaultdict(list)   # (same, shape, variant) -> [(untraced ms, same share %, threads seen)]
for f in glob.glob(f"{d}/raw/timeline_same*_r*.txt"):
    on = int(re.search(r"same(\d)", f).group(1))
    shape = None
    for line in open(f):
        m = re.match(r"(N\d+_C\d+_K\d+_\d+x\d+),", line)
        if m: shape = m.group(1); continue
        p = line.split()
        if len(p) >= 13 and p[0].startswith(("wino", "direct")):
            share = float(p[11].rstrip("%")) if p[11] != "-" else float("nan")
            tl[(on, shape, p[0])].append((float(p[1]), share, int(p[7])))
bench = collections.defaultdict(list)
for f in glob.glob(f"{d}/raw/bench_same*_r*.json"):
    on = int(re.search(r"same(\d)", f).group(1))
    for b in json.load(open(f))["benchmarks"]:
        if b.get("aggregate_name") != "median": continue
        v, shape = b["run_name"].split("/")[:2]
        bench[(on, shape, v)].append(b["real_time"])
keys = sorted({k[1:] for k in tl})
print("| layer | row | timeline ms, off / on | same thread, off / on | threads seen, off / on | bench ms, off / on | on / off (bench) |")
print("|---|---|---|---|---|---|---|")
logs_t, logs_b = [], []
for s, v in keys:
    a, b = tl[(0, s, v)], tl[(1, s, v)]
    ta, tb = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
    sa, sb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
    na, nb = min(x[2] for x in a), min(x[2] for x in b)
    ba, bb = bench.get((0, s, v)), bench.get((1, s, v))
    logs_t.append(math.log(tb / ta))
    bcell, rcell = "-", "-"
    if ba and bb:
        ma, mb = statistics.median(ba), statistics.median(bb)
        logs_b.append(math.log(mb / ma))
        bcell, rcell = f"{ma:.4f} / {mb:.4f}", f"{mb / ma:.2f}"
    print(f"| {s} | {v} | {ta:.4f} / {tb:.4f} | {sa:.0f}% / {sb:.0f}% | {na} / {nb} | {bcell} | {rcell} |")
print(f"\ngeometric mean on / off: timeline {math.exp(statistics.mean(logs_t)):.3f} ({len(logs_t)} cells), "
      f"bench {math.exp(statistics.mean(logs_b)):.3f} ({len(logs_b)} cells)")
