#!/usr/bin/env python3
"""cuDNN's fp32 convolution through PyTorch: the GPU peer of wino_bench.

For each layer N,C,K,H,W (3x3, stride 1, padding 1) it times
torch.nn.functional.conv2d on the GPU: cuDNN's autotuner picks the algorithm
(benchmark mode), 20 convolutions are captured in a CUDA graph and replayed,
and CUDA events time the replays; the median over replays, per convolution,
is reported. Twice per layer: with TF32 off (plain fp32, the accuracy class
of wino's variants) and with TF32 on (tensor cores, ~1e-3 relative error: a
different accuracy class, shown apart). Output: one JSON object per line.

    cudnn_peer.py --shape 8,64,64,56,56 [--shape ...] --out cudnn.jsonl
"""
import argparse
import json
import statistics

import torch


def time_layer(n, c, k, h, w, tf32, replays=30, per_graph=20):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True
    x = torch.randn(n, c, h, w, device="cuda", dtype=torch.float32)
    wt = torch.randn(k, c, 3, 3, device="cuda", dtype=torch.float32)
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(5):  # warm-up: the autotuner runs here
            y = torch.nn.functional.conv2d(x, wt, padding=1)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(per_graph):
            y = torch.nn.functional.conv2d(x, wt, padding=1)
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(replays):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / per_graph)
    # Check against a float64 reference on the CPU for the smaller layers.
    rel = None
    if n * c * h * w <= 1 << 22:
        ref = torch.nn.functional.conv2d(x.double().cpu(), wt.double().cpu(), padding=1)
        rel = float((y.double().cpu() - ref).norm() / ref.norm())
    return statistics.median(times), rel


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", action="append", required=True, help="N,C,K,H,W")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; cuDNN {torch.backends.cudnn.version()}")
    with open(args.out, "w") as out:
        for text in args.shape:
            n, c, k, h, w = (int(v) for v in text.split(","))
            for tf32 in (False, True):
                ms, rel = time_layer(n, c, k, h, w, tf32)
                flops = 2.0 * n * k * c * h * w * 9
                rec = {"shape": f"N{n}_C{c}_K{k}_{h}x{w}", "N": n, "C": c, "K": k, "H": h, "W": w, "tf32": tf32,
                       "ms": ms, "tflops": flops / ms / 1e9, "rel_error_vs_float64": rel,
                       "gpu": torch.cuda.get_device_name(0), "cudnn": torch.backends.cudnn.version()}
                out.write(json.dumps(rec) + "\n")
                print(f"{rec['shape']:<22} tf32={'on ' if tf32 else 'off'} {ms:.4f} ms  {rec['tflops']:.1f} TFLOP/s"
                      + (f"  rel err {rel:.1e}" if rel is not None else ""), flush=True)


if __name__ == "__main__":
    main()
