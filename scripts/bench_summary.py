#!/usr/bin/python3
"""One line per layer and thread count from a wino_bench JSON (medians):
the best Winograd and the best direct variant, `auto` (and what it chose),
oneDNN's two, and the ratios between them, as a Markdown table.

    scripts/bench_summary.py bench.json

Which variant is Winograd or direct comes from the metadata wino_bench
writes into its JSON context, not from names. Ratios are other / ours (>1:
ours faster), except auto / best, which is auto's time over the fastest
compiled variant's (1.00: auto picked the fastest), and the pick's own row
over the fastest (the same, without the noise between auto's run and the
row's). `tasks (best)`: the independent parallel tasks the fastest variant's
call offered (RunStats::parallel_tasks, wino_bench's `tasks` counter).
"""
import argparse
import collections
import gzip
import json


def fmt_tasks(n):
    return "-" if n is None else str(int(n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench_json", help="wino_bench JSON, .json or .json.gz")
    args = ap.parse_args()
    with (gzip.open if args.bench_json.endswith(".gz") else open)(args.bench_json, "rt") as f:
        data = json.load(f)
    meta = {}
    for key, value in data.get("context", {}).items():
        # wino_bench writes each variant's metadata as "variant:<name>" -> JSON object.
        if key.startswith("variant:"):
            meta[key[len("variant:"):]] = json.loads(value) if isinstance(value, str) else value
    runs = collections.defaultdict(dict)  # (layer, threads) -> variant -> (ms, label)
    tasks = collections.defaultdict(dict)  # (layer, threads) -> variant -> parallel tasks its call offered
    order = []
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        variant, layer, threads = b["run_name"].split("/")[:3]
        key = (layer, int(threads.split(":")[1]))
        if key not in runs:
            order.append(key)
        runs[key][variant] = (b["real_time"], b.get("label", ""))
        tasks[key][variant] = b.get("tasks")

    def algorithm(v):
        return meta.get(v, {}).get("algorithm", "")

    def best(results, pred):
        cands = [(ms, v) for v, (ms, _) in results.items() if pred(v)]
        return min(cands) if cands else (float("nan"), "-")

    idle_us = float(data.get("context", {}).get("idle_us", 0) or 0)
    if idle_us > 0:
        print(f"CPU calls {idle_us:g} us apart (wino_bench --idle-us), not back to back.\n")
    print("| layer | threads | best Winograd | ms | best direct | ms | auto | chose | auto / best | its row / best"
          " | auto / best direct | oneDNN direct | oneDNN Winograd | best vs faster oneDNN | tasks (best) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(order):
        r = runs[key]
        cpu = lambda v: meta.get(v, {}).get("device", "cpu") == "cpu"
        w_ms, w = best(r, lambda v: cpu(v) and algorithm(v) == "winograd")
        d_ms, d = best(r, lambda v: cpu(v) and algorithm(v) == "direct")
        a_ms, a_label = r.get("auto", (float("nan"), ""))
        dd = r.get("onednn_direct", (float("nan"), ""))[0]
        dw = r.get("onednn_winograd", (float("nan"), ""))[0]
        overall = min(w_ms, d_ms)
        pick_ms = r.get(a_label, (float("nan"), ""))[0]
        print(f"| {key[0]} | {key[1]} | {w} | {w_ms:.4f} | {d} | {d_ms:.4f} | {a_ms:.4f} | {a_label} | "
              f"{a_ms / overall:.2f} | {pick_ms / overall:.2f} | {a_ms / d_ms:.2f} | {dd:.4f} | {dw:.4f} | "
              f"{min(dd, dw) / overall:.2f} | {fmt_tasks(tasks[key].get(w if w_ms <= d_ms else d))} |")


if __name__ == "__main__":
    main()
