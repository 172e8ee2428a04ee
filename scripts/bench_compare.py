#!/usr/bin/python3
"""Compares wino_bench runs of the same cases under different conditions (an A/B of a build or an
environment switch), each condition one or more JSON files from separate processes:

    scripts/bench_compare.py base=a1.json,a2.json.gz sized=b1.json,b2.json [--markdown]

(a file not named .json or .json.gz is read as wino_bench's printed table of medians).

Per case (variant, layer, threads): each condition's time is the median of its files' medians
(wino_bench reports aggregates only; processes on a noisy machine drift apart, so alternate the
conditions' processes and give each several); the columns after the first condition are their
time over the first's, and a last row their geometric mean. Only cases every condition ran are shown.
Below the table, that geometric mean for this project's rows and for the peers' (oneDNN) apart: a
switch of ours does not touch the peers, so their ratio is the processes' drift, the yardstick for
ours. --best adds, per layer and thread count, each condition's fastest row of ours and fastest
peer, and the ratios of their times to the first condition's.
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (report.Bench reads wino_bench's JSON)


def console_medians(path):
    """{(variant, layer, threads): ms} from wino_bench's printed table of medians (what a run prints
    from its 'Median of each benchmark' line on), for runs whose JSON did not survive."""
    out, layer, threads = {}, None, None
    with open(path) as f:
        for line in f:
            head = re.match(r"^(\S+), padding \d+, (\d+) threads? ", line)
            if head:
                layer, threads = head.group(1), int(head.group(2))
            elif layer and (row := re.match(r"^(\S+)\s+([0-9.]+)\s", line)):
                out[(row.group(1), layer, threads)] = float(row.group(2))
    return out


def medians(paths):
    """{(variant, layer, threads): [ms per file, ...]} from the files' median aggregates (wino_bench
    JSON, .json or .json.gz; or its printed table of medians, any other name)."""
    out = {}
    for path in paths:
        if not path.endswith((".json", ".json.gz")):
            for case, ms in console_medians(path).items():
                out.setdefault(case, []).append(ms)
            continue
        for case, run in report.Bench(path).runs.items():
            if run.ok():
                out.setdefault(case, []).append(run.ms)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("conditions", nargs="+",
                    help="label=file[,file...]: wino_bench JSON (.json, .json.gz) or its printed medians")
    ap.add_argument("--markdown", action="store_true", help="a markdown table instead of aligned text")
    ap.add_argument("--best", action="store_true",
                    help="also each layer's fastest row of ours and fastest peer under each condition")
    args = ap.parse_args()
    labels, runs = [], []
    for cond in args.conditions:
        label, sep, files = cond.partition("=")
        if not sep or not files:
            sys.exit(f"bench_compare.py: '{cond}': expected label=file.json[,file.json...]")
        labels.append(label)
        runs.append(medians(files.split(",")))
    cases = sorted(set.intersection(*(set(r) for r in runs)), key=lambda c: (c[1], c[2], c[0]))
    if not cases:
        sys.exit("bench_compare.py: no case ran under every condition")
    header = ["layer", "threads", "variant", f"{labels[0]} ms"] + [f"{l} / {labels[0]}" for l in labels[1:]]
    rows, ratios = [], [[] for _ in runs[1:]]  # ratios[i]: condition i + 1 over the first, per case
    for case in cases:
        times = [statistics.median(r[case]) for r in runs]
        for i, t in enumerate(times[1:]):
            ratios[i].append(t / times[0])
        rows.append([case[1], case[2], case[0], f"{times[0]:.4f}"] + [f"{r[-1]:.3f}" for r in ratios])
    # One number per condition: the geometric mean of its ratios over all cases.
    rows.append(["geometric mean", "", f"{len(cases)} cases", ""] +
                [f"{statistics.geometric_mean(rs):.3f}" for rs in ratios])
    print_table(header, rows, args.markdown)
    if len(runs) < 2:
        return
    peer = [is_peer(c[0]) for c in cases]
    print()
    for name, want in (("our rows", False), ("peers (the processes' drift)", True)):
        picked = [[r for r, p in zip(rs, peer) if p == want] for rs in ratios]
        if picked[0]:
            print(f"geometric mean, {name}, {len(picked[0])} cases: " +
                  ", ".join(f"{l} / {labels[0]} {statistics.geometric_mean(rs):.3f}"
                            for l, rs in zip(labels[1:], picked)))
    if args.best:
        print()
        print_table(*best_table(labels, runs, cases), args.markdown)


def is_peer(variant):
    """Whether a row is a peer's (oneDNN), as the report tells them apart."""
    return variant in report.PEERS


def best_table(labels, runs, cases):
    """Per (layer, threads): each condition's fastest row of ours and fastest peer (by the median of
    its files' medians), the first condition's times, and the others' over them."""
    header = ["layer", "threads", f"ours: {labels[0]}", "ms"] + [f"{l}: row, / {labels[0]}" for l in labels[1:]] + \
             [f"peer {labels[0]} ms"] + [f"peer {l} / {labels[0]}" for l in labels[1:]]
    rows, ours_r, peer_r = [], [[] for _ in runs[1:]], [[] for _ in runs[1:]]
    for layer, threads in sorted({(c[1], c[2]) for c in cases}):
        mine = [c for c in cases if (c[1], c[2]) == (layer, threads)]
        best = []
        for want_peer in (False, True):
            group = [c for c in mine if is_peer(c[0]) == want_peer]
            best.append([min(((statistics.median(r[c]), c[0]) for c in group), default=None) for r in runs])
        if not best[0][0]:
            continue
        row = [layer, threads, best[0][0][1], f"{best[0][0][0]:.4f}"]
        for i, b in enumerate(best[0][1:]):
            ours_r[i].append(b[0] / best[0][0][0])
            row.append(f"{b[1]} {ours_r[i][-1]:.3f}")
        if best[1][0]:
            row.append(f"{best[1][0][0]:.4f}")
            for i, b in enumerate(best[1][1:]):
                peer_r[i].append(b[0] / best[1][0][0])
                row.append(f"{peer_r[i][-1]:.3f}")
        rows.append(row)
    rows.append(["geometric mean", "", f"{len(rows)} layers", ""] +
                [f"{statistics.geometric_mean(rs):.3f}" for rs in ours_r] + [""] +
                [f"{statistics.geometric_mean(rs):.3f}" if rs else "" for rs in peer_r])
    return header, rows


def print_table(header, rows, markdown):
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
    else:
        rows = [r + [""] * (len(header) - len(r)) for r in rows]
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        for r in [header] + rows:
            print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))


if __name__ == "__main__":
    main()
