#!/usr/bin/python3
"""Compile time of every pipeline, like the original finding's compile column.

Runs each pipeline's generator (as the build does, from build/generated/
pipelines.json, which the variant table writes) into a scratch directory,
several times, and reports the median. Two timings per pipeline:
  total:    generator run to a static library (lowering + LLVM code generation)
  lowering: the same run emitting only the lowered statement (no LLVM)
so LLVM code generation ~= total - lowering. Both include the generator
process's start-up, measured separately (`startup`) with a run that compiles
nothing, and subtracted.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_generator(generator, pipeline, target, emit, outdir):
    features = "".join("-" + f for f in pipeline.get("features", "").split("-") if f)
    cmd = [generator, "-g", pipeline["generator"], "-f", pipeline["name"], "-n", pipeline["name"],
           "-e", emit, "-o", outdir, f"target={target}{features}-no_runtime"] + pipeline["params"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement, median reported (default 3)")
    ap.add_argument("--out", default="report/compile_times.json")
    args = ap.parse_args()

    with open(os.path.join(args.build, "generated", "pipelines.json")) as f:
        spec = json.load(f)
    generator, target = spec["generator"], spec["target"]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        # Start-up: list the registered generators (loads Halide, compiles nothing).
        startup = statistics.median(
            [(lambda t0: (subprocess.run([generator], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                          time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(args.runs)])
        for i, p in enumerate(spec["pipelines"], 1):
            print(f"[{i}/{len(spec['pipelines'])}] compiling {p['name']} x{args.runs}", file=sys.stderr, flush=True)
            total = statistics.median(run_generator(generator, p, target, "static_library", scratch)
                                      for _ in range(args.runs))
            lowering = statistics.median(run_generator(generator, p, target, "stmt", scratch)
                                         for _ in range(args.runs))
            results.append({
                "name": p["name"],
                "prepare": p.get("prepare", ""),
                "total_ms": 1e3 * max(total - startup, 0.0),
                "lowering_ms": 1e3 * max(lowering - startup, 0.0),
                "llvm_ms": 1e3 * max(total - lowering, 0.0),
            })
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"target": target, "runs": args.runs, "startup_ms": 1e3 * startup, "pipelines": results}, f,
                  indent=2)
    for r in results:
        print(f"{r['name']:<20} total {r['total_ms']:8.0f} ms  lowering {r['lowering_ms']:8.0f} ms  "
              f"llvm {r['llvm_ms']:8.0f} ms")


if __name__ == "__main__":
    main()
