# h200-36: per layer and row, from wino_profile --timeline at 1-16 threads: the untraced median,
# the speedup over 1 thread, and the work the threads did (the sum of their own work) over the
# 1-thread call's; oneDNN's speedups from wino_bench. Usage: python3 sweep.py <folder with raw/>
import json, sys, statistics, collections
d = sys.argv[1]
T = [1, 2, 4, 8, 16]
r = {}
for t in T:
    for e in json.load(open(f"{d}/raw/timeline_t{t}.json")):
        r[(e["shape"], e["variant"], t)] = e
shapes = sorted({k[0] for k in r})
print("| layer | row | ms at 1 | speedup at 2 / 4 / 8 / 16 | work / 1-thread work at 2 / 4 / 8 / 16 | busy at 16 |")
print("|---|---|---|---|---|---|")
for s in shapes:
    for v in sorted({k[1] for k in r if k[0] == s}):
        one = r.get((s, v, 1))
        if not one: continue
        base_ms, base_work = one["untraced_ms"], sum(one["work_ms"])
        sp = " / ".join(f"{base_ms / r[(s, v, t)]['untraced_ms']:.1f}" for t in T[1:] if (s, v, t) in r)
        wk = " / ".join(f"{sum(r[(s, v, t)]['work_ms']) / base_work:.2f}" for t in T[1:] if (s, v, t) in r)
        busy = r.get((s, v, 16), {}).get("utilization", float("nan"))
        print(f"| {s} | {v} | {base_ms:.4f} | {sp} | {wk} | {100 * busy:.0f}% |")
b = json.load(open(f"{d}/raw/bench.json"))
med = {}
for x in b["benchmarks"]:
    if x.get("aggregate_name") != "median": continue
    v, s, t = x["run_name"].split("/")[:3]
    med[(v, s, int(t.split(":")[1]))] = x["real_time"]
print("\n| layer | row | ms at 1 | speedup at 4 / 16 |")
print("|---|---|---|---|")
for s in shapes:
    for v in ("onednn_winograd", "onednn_direct", "wino_fused_f2_4x2_groups_nhwc"):
        if (v, s, 1) in med:
            print(f"| {s} | {v} | {med[(v, s, 1)]:.4f} | {med[(v, s, 1)] / med[(v, s, 4)]:.1f} / {med[(v, s, 1)] / med[(v, s, 16)]:.1f} |")
