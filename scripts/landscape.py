#!/usr/bin/python3
"""Landscape plots of a wino_tune log: time against each schedule parameter.

wino_tune writes one JSON object per measured point (JSON lines):
  {"shape": "N1_C64_K64_56x56", "threads": 1,
   "key": "winograd fused m=4 block=7x1 band_kb=256", "ms": 1.23 | null,
   "error": 1e-6 | null, "compile_s": 3.1 | null, "failure": "" | "why"}
A key is "<algorithm> <schedule> m=<m>" then the schedule's parameters as
key=value (tune/jit.cpp, Candidate::key). For each shape and thread count this
writes landscape_<shape>_t<threads>.png: one panel per parameter (m, block,
k_vectors, band_kb, parallel, store, vectorize), every measured candidate a
point at its value of that parameter ("default" where the candidate leaves it
unset), coloured by algorithm and m; the default candidates (the seeds with no
parameters, one per algorithm and m) are squares, the winner a star. A last
panel shows the search: each point's time in the order measured and the best
so far. Failed candidates (wrong result, compile error) are counted in the
title, not plotted.

    landscape.py --log wino_tune.log --out DIR [--shape SHAPE] [--threads T]

Importable: load(path), summarize(points), plot(points, out_dir) -> summaries.
"""
import argparse
import collections
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402



def _tick(y, _pos):
    """Plain numbers on a log axis, only at 1, 2, 3 and 5 times a power of ten."""
    if y <= 0:
        return ""
    mantissa = y / 10 ** math.floor(math.log10(y) + 1e-9)
    return f"{y:g}" if any(abs(mantissa - d) < 1e-6 for d in (1, 2, 3, 5)) else ""


PLAIN = FuncFormatter(_tick)

PARAMETERS = ("m", "block", "k_vectors", "band_kb", "parallel", "store", "vectorize", "c_slice", "load", "pad", "taps", "c_block")
DEFAULT = "default"


def parse_key(key):
    """(algorithm, schedule, m, {param: value}) of a tuner key (Candidate::key's format)."""
    tokens = key.split()
    if len(tokens) < 3 or not tokens[2].startswith("m="):
        raise ValueError(f"not a candidate key: {key!r}")
    params = {}
    for kv in tokens[3:]:
        k, _, v = kv.partition("=")
        params[k] = v
    return tokens[0], tokens[1], int(tokens[2][2:]), params


def load(path):
    """Every point of the log, as dicts with the key's parts added; one per (shape, threads, key)
    (a key measured twice keeps its faster time, as the tuner does)."""
    points = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                p = json.loads(line)
                algorithm, schedule, m, params = parse_key(p["key"])
            except (ValueError, KeyError) as e:
                print(f"landscape.py: {path}:{n}: skipped ({e})", file=sys.stderr)
                continue
            p.update(algorithm=algorithm, schedule=schedule, m=m, params=params, order=n)
            p["ok"] = p.get("ms") is not None and not p.get("failure")
            ident = (p["shape"], p["threads"], p["key"])
            old = points.get(ident)
            if old is None or (p["ok"] and (not old["ok"] or p["ms"] < old["ms"])):
                if old is not None:
                    p["order"] = old["order"]
                points[ident] = p
    return sorted(points.values(), key=lambda p: p["order"])


def family(p):
    """What a point's colour says: the algorithm and m."""
    return f"Winograd F({p['m']},3)" if p["algorithm"] == "winograd" else p["algorithm"]


def value_of(p, param):
    if param == "m":
        return str(p["m"]) if p["algorithm"] == "winograd" else p["algorithm"]
    return p["params"].get(param, DEFAULT)


def category_order(values):
    """default first, then numbers by value, blocks (AxB) by area, the rest alphabetically."""
    def rank(v):
        if v == DEFAULT:
            return (0, 0, 0, "")
        if re.fullmatch(r"\d+", v):
            return (1, int(v), 0, v)
        block = re.fullmatch(r"(\d+)x(\d+)", v)
        if block:
            a, b = int(block.group(1)), int(block.group(2))
            return (2, a * b, a, v)
        return (3, 0, 0, v)
    return sorted(set(values), key=rank)


def is_default(p):
    """A seed with no parameters: the default schedule of its algorithm and m."""
    return not p["params"]


def summarize(points):
    """{(shape, threads): summary} with the counts, the winner and its algorithm/m's default."""
    groups = collections.OrderedDict()
    for p in points:
        groups.setdefault((p["shape"], p["threads"]), []).append(p)
    out = collections.OrderedDict()
    for (shape, threads), pts in groups.items():
        ok = [p for p in pts if p["ok"]]
        best = min(ok, key=lambda p: p["ms"]) if ok else None
        default = None
        if best:
            default = next((p for p in ok if is_default(p) and p["algorithm"] == best["algorithm"]
                            and p["m"] == best["m"] and p["schedule"] == best["schedule"]), None)
        compile_s = [p["compile_s"] for p in pts if p.get("compile_s")]
        out[(shape, threads)] = {
            "shape": shape, "threads": threads, "points": len(pts), "failed": len(pts) - len(ok),
            "best": best, "default": default, "compile_s": sum(compile_s),
            "failures": collections.Counter(p["failure"].split(":")[0][:60] for p in pts if not p["ok"]),
        }
    return out


def safe(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def plot(points, out_dir, prefix="landscape"):
    """One figure per (shape, threads); returns the summaries with "png" (file name in out_dir) added."""
    os.makedirs(out_dir, exist_ok=True)
    summaries = summarize(points)
    families = sorted({family(p) for p in points}, key=lambda f: (not f.startswith("Winograd"), f))
    colours = {f: plt.cm.tab10(i % 10) for i, f in enumerate(families)}
    for (shape, threads), summary in summaries.items():
        pts = [p for p in points if p["shape"] == shape and p["threads"] == threads]
        ok = [p for p in pts if p["ok"]]
        if not ok:
            continue
        params = [q for q in PARAMETERS if any(value_of(p, q) != DEFAULT for p in pts) or q == "m"]
        panels = len(params) + 1
        cols = min(4, panels)
        rows = math.ceil(panels / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
        times = [p["ms"] for p in ok]
        log = max(times) / min(times) > 4
        best = summary["best"]
        for ax, param in zip(axes.flat, params):
            cats = category_order(value_of(p, param) for p in pts)
            index = {c: i for i, c in enumerate(cats)}
            per_cat = collections.Counter()
            for p in ok:
                c = value_of(p, param)
                # Spread the points of one category so that they do not hide each other.
                k = per_cat[c]
                per_cat[c] += 1
                jitter = ((k * 0.618) % 1.0 - 0.5) * 0.5
                x = index[c] + jitter
                if p is best:
                    ax.scatter([x], [p["ms"]], marker="*", s=220, color=colours[family(p)], edgecolor="red",
                               linewidth=1.5, zorder=4)
                elif is_default(p):
                    ax.scatter([x], [p["ms"]], marker="s", s=60, facecolor="none", edgecolor=colours[family(p)],
                               linewidth=2, zorder=3)
                else:
                    ax.scatter([x], [p["ms"]], marker="o", s=18, color=colours[family(p)], alpha=0.75, zorder=2)
            ax.set_xticks(range(len(cats)))
            ax.set_xticklabels(cats, rotation=45 if len(cats) > 5 else 0, fontsize=7, ha="right" if len(cats) > 5 else "center")
            ax.set_title(param, fontsize=10)
            if log:
                ax.set_yscale("log")
                ax.yaxis.set_major_formatter(PLAIN)
                ax.yaxis.set_minor_formatter(PLAIN)
            ax.grid(axis="y", alpha=0.3)
            ax.set_ylabel("ms (fastest batch)", fontsize=8)
            ax.tick_params(axis="y", labelsize=7, which="both")
        # The search, in the order the points were measured.
        ax = axes.flat[len(params)]
        xs = list(range(1, len(pts) + 1))
        best_so_far, running = [], math.inf
        for i, p in enumerate(pts):
            if p["ok"]:
                ax.scatter([i + 1], [p["ms"]], s=12, color=colours[family(p)], alpha=0.75)
                running = min(running, p["ms"])
            best_so_far.append(running if running < math.inf else float("nan"))
        ax.step(xs, best_so_far, where="post", color="black", linewidth=1, label="best so far")
        ax.set_title("search order", fontsize=10)
        ax.set_xlabel("point measured", fontsize=8)
        if log:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(PLAIN)
            ax.yaxis.set_minor_formatter(PLAIN)
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=7, which="both")
        for ax in list(axes.flat)[panels:]:
            ax.axis("off")
        handles = [plt.Line2D([], [], marker="o", linestyle="", color=colours[f], label=f) for f in families
                   if any(family(p) == f for p in ok)]
        handles += [plt.Line2D([], [], marker="s", linestyle="", markerfacecolor="none", markeredgecolor="gray",
                               markeredgewidth=2, label="default (no parameters)"),
                    plt.Line2D([], [], marker="*", linestyle="", markersize=12, color="gray",
                               markeredgecolor="red", label="winner"),
                    plt.Line2D([], [], color="black", label="best so far")]
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
        default = summary["default"]
        title = (f"{shape}, {threads} thread{'s' if threads > 1 else ''}: {len(pts)} candidates"
                 f" ({summary['failed']} failed); winner {best['key']} {best['ms']:.4f} ms")
        if default:
            title += f", {default['ms'] / best['ms']:.2f}x faster than {default['key']}"
        fig.suptitle(title, fontsize=10)
        fig.tight_layout(rect=(0, 0.05, 1, 0.95))
        name = f"{prefix}_{safe(shape)}_t{threads}.png"
        fig.savefig(os.path.join(out_dir, name), dpi=100)
        plt.close(fig)
        summary["png"] = name
    return summaries


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", default="wino_tune.log", help="wino_tune's log (JSON lines)")
    ap.add_argument("--out", default=".", help="folder for the PNGs")
    ap.add_argument("--shape", action="append", default=[], help="only these shapes (as the log names them)")
    ap.add_argument("--threads", type=int, action="append", default=[], help="only these thread counts")
    args = ap.parse_args()
    points = [p for p in load(args.log) if (not args.shape or p["shape"] in args.shape)
              and (not args.threads or p["threads"] in args.threads)]
    if not points:
        raise SystemExit(f"landscape.py: no points in {args.log}")
    for s in plot(points, args.out).values():
        best, default = s["best"], s["default"]
        print(f"{s['shape']}, {s['threads']} thread{'s' if s['threads'] > 1 else ''}: {s['points']} points "
              f"({s['failed']} failed)"
              + (f"; winner {best['ms']:.4f} ms {best['key']}" if best else "")
              + (f"; default {default['ms']:.4f} ms {default['key']}" if default else "")
              + (f" -> {os.path.join(args.out, s['png'])}" if "png" in s else ""))


if __name__ == "__main__":
    main()
