#!/usr/bin/python3
"""Compile time and memory of every pipeline, like the original finding's compile column.

Runs each pipeline's generator (as the build does, from build/generated/
pipelines.json, which the variant table writes) into a scratch directory,
several times, and reports the median. Two timings per pipeline:
  total:    generator run to a static library (lowering + LLVM code generation;
            for an autoscheduled pipeline, the autoscheduler's search too)
  lowering: the same run emitting only the lowered statement (no LLVM)
so LLVM code generation ~= total - lowering. Both include the generator
process's start-up, measured separately (`startup`) with a run that compiles
nothing, and subtracted. Each entry also records the generator's peak
resident memory (the largest over the runs to a static library; start-up
included), and for an autoscheduled pipeline its autoscheduler and the
.schedule.h the build kept.
"""
import argparse
import fnmatch
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def cmake_cache(build):
    """{key: value} of build/CMakeCache.txt (empty without one)."""
    values = {}
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                if "=" in line and ":" in line.split("=", 1)[0] and not line.startswith(("//", "#")):
                    key, value = line.rstrip("\n").split("=", 1)
                    values[key.split(":", 1)[0]] = value
    except OSError:
        pass
    return values


def plugin_path(pipeline, cache):
    """The autoscheduler plugin (.so) of an autoscheduled pipeline: pipelines.json's
    "autoscheduler_plugin" when the build writes it, else found beside Halide."""
    if pipeline.get("autoscheduler_plugin"):
        return pipeline["autoscheduler_plugin"]
    name = pipeline["autoscheduler"].split("::")[-1].lower()
    roots = []
    if cache.get("Halide_DIR"):
        # .../lib/<triplet>/cmake/Halide14 -> .../lib/<triplet>/halide14 and .../lib/<triplet>
        lib = os.path.dirname(os.path.dirname(cache["Halide_DIR"]))
        roots += glob.glob(os.path.join(lib, "halide*")) + [lib]
    roots += glob.glob("/usr/lib/*/halide*") + glob.glob("/usr/local/lib/halide*") + ["/usr/local/lib"]
    for root in roots:
        path = os.path.join(root, f"libautoschedule_{name}.so")
        if os.path.exists(path):
            return path
    raise SystemExit(f"compile_times.py: no plugin libautoschedule_{name}.so for {pipeline['name']} "
                     f"(looked in {', '.join(roots)})")


def generator_command(spec, pipeline, emit, outdir, cache):
    """The generator command line the build runs for this pipeline (one emit)."""
    features = "".join("-" + f for f in pipeline.get("features", "").split("-") if f)
    targets = spec["target"].split(",")
    if "cuda" in features.split("-"):
        targets = targets[-1:]  # GPU pipelines: one host target, as the build compiles them
    target = ",".join(t + features + "-no_runtime" for t in targets)
    cmd = [spec["generator"], "-g", pipeline["generator"], "-f", pipeline["name"], "-n", pipeline["name"],
           "-e", emit, "-o", outdir]
    if pipeline.get("autoscheduler"):
        cmd += ["-p", plugin_path(pipeline, cache), "-s", pipeline["autoscheduler"].split("::")[-1]]
    cmd += [f"target={target}"] + pipeline["params"]
    if pipeline.get("autoscheduler"):
        cmd.append("auto_schedule=true")
    return cmd


def run(cmd, env=None):
    """(seconds, peak RSS in MiB) of one process; raises if it fails."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=err.read().decode(errors="replace"))
    return seconds, usage.ru_maxrss / 1024.0  # Linux: KiB


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement, median reported (default 3)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="only these pipelines (repeatable; shell patterns such as 'wino_*_f4' work); their weight"
                         " preparation pipelines come with them")
    ap.add_argument("--out", default="report/compile_times.json")
    args = ap.parse_args()

    with open(os.path.join(args.build, "generated", "pipelines.json")) as f:
        spec = json.load(f)
    cache = cmake_cache(args.build)
    pipelines = spec["pipelines"]
    if args.only:
        chosen = {p["name"] for p in pipelines if any(fnmatch.fnmatchcase(p["name"], pat) for pat in args.only)}
        if not chosen:
            raise SystemExit(f"compile_times.py: --only {' '.join(args.only)} matches no pipeline")
        chosen |= {p.get("prepare") for p in pipelines if p["name"] in chosen} - {"", None}
        pipelines = [p for p in pipelines if p["name"] in chosen]
    # Adams2019 reads its beam size from the environment; the build sets it (WINO_ADAMS2019_BEAM).
    env = dict(os.environ)
    env.setdefault("HL_BEAM_SIZE", cache.get("WINO_ADAMS2019_BEAM", "1"))
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        # Start-up: list the registered generators (loads Halide, compiles nothing).
        # (It exits non-zero after printing its usage, so it is timed without run()'s check.)
        startup_times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run([spec["generator"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            startup_times.append(time.perf_counter() - t0)
        startup = statistics.median(startup_times)
        for i, p in enumerate(pipelines, 1):
            print(f"[{i}/{len(pipelines)}] compiling {p['name']} x{args.runs}", file=sys.stderr, flush=True)
            full = [run(generator_command(spec, p, "static_library", scratch, cache), env) for _ in range(args.runs)]
            lowering = statistics.median(run(generator_command(spec, p, "stmt", scratch, cache), env)[0]
                                         for _ in range(args.runs))
            total = statistics.median(t for t, _ in full)
            entry = {
                "name": p["name"],
                "generator": p["generator"],
                "prepare": p.get("prepare", ""),
                "features": p.get("features", ""),
                "total_ms": 1e3 * max(total - startup, 0.0),
                "lowering_ms": 1e3 * max(lowering - startup, 0.0),
                "llvm_ms": 1e3 * max(total - lowering, 0.0),
                "peak_rss_mib": max(rss for _, rss in full),
            }
            if p.get("autoscheduler"):
                entry["autoscheduler"] = p["autoscheduler"]
                entry["schedule_file"] = p.get("schedule_file", "")
            results.append(entry)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"target": spec["target"], "runs": args.runs, "startup_ms": 1e3 * startup,
                   "beam_size": env["HL_BEAM_SIZE"], "pipelines": results}, f, indent=2)
    for r in results:
        print(f"{r['name']:<24} total {r['total_ms']:8.0f} ms  lowering {r['lowering_ms']:8.0f} ms  "
              f"llvm {r['llvm_ms']:8.0f} ms  peak {r['peak_rss_mib']:7.0f} MiB")


if __name__ == "__main__":
    main()
