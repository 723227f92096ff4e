#!/usr/bin/env python3
"""PyTorch (float64, eager, one thread) on workloads 2, 3 and 4 of bench/peers/.

Writes the JSON shape of Google Benchmark's --benchmark_format=json (context + benchmarks, each
with name, iterations, real_time, cpu_time, time_unit), with names that follow the C++ suites:

  batch/torch/{function,gradient}/N   the 22-op program as tensor ops over N points; the gradient
                                      is one vector-Jacobian product with ones (every output
                                      depends on its own point only, so it is every point's
                                      gradient)
  mlp/torch/{step,forward}/CONFIG     relu MLP, mean squared loss, SGD step (forward, loss,
                                      autograd.grad, in-place update) or forward alone (no_grad)
  layer-KIND/torch/{forward,backward}/SIZE   relu, max_pool2d, max_pool1d, sort (stable,
                                      descending) with autograd: forward records the graph,
                                      backward is autograd.grad of the output with a fixed dy

Usage: torch_peers.py --out FILE.json [--min-time SECONDS] [--only batch,mlp,layers,alloc]
The BLAS library and its kernel are reported in the context (OPENBLAS_CORETYPE is left as the
environment sets it).
"""

import argparse
import ctypes
import json
import os
import platform
import sys
import time

import torch
import torch.nn.functional as F

DT = torch.float64


def blas_info():
    """The BLAS library torch's float64 GEMM runs on, and OpenBLAS's kernel if it is OpenBLAS."""
    torch.ones(8, 8, dtype=DT) @ torch.ones(8, 8, dtype=DT)  # make sure the library is loaded
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in os.path.basename(path) or "mkl" in os.path.basename(path):
                libs.add(path)
    info = {"blas_libraries": sorted(libs), "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)")}
    for path in sorted(libs):
        if "openblas" in path:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_corename"] = lib.openblas_get_corename().decode()
            info["openblas_config"] = lib.openblas_get_config().decode()
            try:
                lib.openblas_get_num_threads.restype = ctypes.c_int
                info["openblas_threads"] = lib.openblas_get_num_threads()
            except AttributeError:
                pass
    return info


class Runner:
    def __init__(self, min_time):
        self.min_time = min_time
        self.results = []

    def run(self, name, fn, unit="us", counters=None):
        """Google Benchmark's scheme: grow the iteration count until a run lasts min_time."""
        fn()  # warm-up (allocator, autograd graph caches)
        n = 1
        while True:
            c0, r0 = time.process_time(), time.perf_counter()
            for _ in range(n):
                fn()
            c1, r1 = time.process_time(), time.perf_counter()
            cpu, real = c1 - c0, r1 - r0
            if max(cpu, real) >= self.min_time or n >= 10**9:
                break
            per = max(cpu, real) / n
            target = 1.4 * self.min_time / per if per > 0 else n * 10
            n = int(min(max(target, n + 1), n * 10))
        scale = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}[unit]
        rec = {
            "name": name,
            "run_name": name,
            "run_type": "iteration",
            "repetitions": 1,
            "repetition_index": 0,
            "threads": 1,
            "iterations": n,
            "real_time": real / n * scale,
            "cpu_time": cpu / n * scale,
            "time_unit": unit,
        }
        rec.update(counters or {})
        self.results.append(rec)
        print(f"{name:<45} {rec['real_time']:12.3f} {unit} {rec['cpu_time']:12.3f} {unit} {n:>9}", flush=True)


# ---- workload 2: the batched program ---------------------------------------------------------

def batch_program(x0, x1, x2, x3):
    t1 = x0 * x1
    t2 = x2 - x3
    t3 = t2 * t2
    t4 = t1 + t3
    t5 = t4 * 0.25
    t6 = torch.exp(t5)
    t7 = x0 + x3
    t8 = t6 / t7
    t9 = x1 * x2
    t10 = t9 + 1
    t11 = torch.log(t10)
    t12 = t11 * t8
    t13 = t12 - x0
    t14 = t13 * t13
    t15 = -t14
    t16 = torch.exp(t15)
    t17 = t16 + x1
    t18 = torch.log(t17)
    t19 = t18 / t10
    t20 = t19 * x3
    t21 = t20 + t12
    t22 = t21 - t3
    return t22


def check_batch_gradient():
    """Central differences at a few points: torch's gradient of the program is the right one."""
    g = torch.Generator().manual_seed(1)
    xs = [(torch.rand(16, generator=g, dtype=DT) * 1.5 + 0.5).requires_grad_() for _ in range(4)]
    y = batch_program(*xs)
    grads = torch.autograd.grad(y, xs, torch.ones_like(y))
    h = 1e-6
    worst = 0.0
    with torch.no_grad():
        for i in range(4):
            up = [x.detach().clone() for x in xs]
            dn = [x.detach().clone() for x in xs]
            up[i] += h
            dn[i] -= h
            fd = (batch_program(*up) - batch_program(*dn)) / (2 * h)
            worst = max(worst, float(((fd - grads[i]).abs() / fd.abs().clamp(min=1)).max()))
    if worst > 1e-6:
        sys.exit(f"torch gradient of the batch program differs from central differences by {worst}")
    return worst


def bench_batch(r):
    worst = check_batch_gradient()
    for n in (10000, 100000, 1000000):
        g = torch.Generator().manual_seed(7)
        cols = [torch.rand(n, generator=g, dtype=DT) * 1.5 + 0.5 for _ in range(4)]

        def function():
            with torch.no_grad():
                return batch_program(*cols)

        leaves = [c.clone().requires_grad_() for c in cols]
        ones = torch.ones(n, dtype=DT)

        def gradient():
            y = batch_program(*leaves)
            return torch.autograd.grad(y, leaves, ones)

        r.run(f"batch/torch/function/{n}", function)
        r.results[-1]["per_point"] = r.results[-1]["cpu_time"] * 1e-6 / n
        r.run(f"batch/torch/gradient/{n}", gradient, counters={"fd_check": worst})
        r.results[-1]["per_point"] = r.results[-1]["cpu_time"] * 1e-6 / n


# ---- workload 3: MLP training step -----------------------------------------------------------

MLP_CONFIGS = [("B32", [16, 64, 64, 1], 32), ("B256", [784, 256, 256, 10], 256),
               ("B1024", [1024, 1024, 1024, 1024], 1024)]


def bench_mlp(r):
    rate = 1e-4
    for cid, sizes, batch in MLP_CONFIGS:
        g = torch.Generator().manual_seed(1)
        params = []
        for fin, fout in zip(sizes[:-1], sizes[1:]):
            bound = (6.0 / fin) ** 0.5
            W = ((torch.rand(fout, fin, generator=g, dtype=DT) * 2 - 1) * bound).requires_grad_()
            b = torch.zeros(fout, dtype=DT, requires_grad=True)
            params += [W, b]
        x = torch.rand(batch, sizes[0], generator=g, dtype=DT) * 2 - 1
        t = torch.rand(batch, sizes[-1], generator=g, dtype=DT) * 2 - 1
        layers = len(sizes) - 1

        def forward():
            h = x
            for l in range(layers):
                h = F.linear(h, params[2 * l], params[2 * l + 1])
                if l + 1 < layers:
                    h = torch.relu(h)
            return h

        def step():
            h = forward()
            loss = F.mse_loss(h, t, reduction="sum") * (0.5 / batch)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                torch._foreach_add_(params, grads, alpha=-rate)
            return loss

        def forward_only():
            with torch.no_grad():
                return forward()

        unit = "ms" if batch >= 256 else "us"
        flop = sum(2.0 * a * b * batch for a, b in zip(sizes[:-1], sizes[1:]))
        r.run(f"mlp/torch/step/{cid}", step, unit, {"forward_flop": flop})
        r.run(f"mlp/torch/forward/{cid}", forward_only, unit, {"forward_flop": flop})


# ---- workload 4: nonsmooth layers ------------------------------------------------------------

def bench_layer(r, kind, size, make_input, op):
    g = torch.Generator().manual_seed(4)
    x = make_input(g).requires_grad_()
    y = op(x)
    dy = torch.rand(y.shape, generator=g, dtype=DT) * 2 - 1

    def forward():
        return op(x)

    def backward():
        return torch.autograd.grad(y, x, dy, retain_graph=True)

    elements = {"elements": float(x.numel())}
    r.run(f"layer-{kind}/torch/forward/{size}", forward, counters=elements)
    r.run(f"layer-{kind}/torch/backward/{size}", backward, counters=elements)


def bench_layers(r):
    def uniform(*shape):
        return lambda g: torch.rand(*shape, generator=g, dtype=DT) * 2 - 1

    # Sizes as in mlp_peers.cpp. The memory layout is the same: one sample's features contiguous.
    for batch in (64, 256, 1024, 4096):
        bench_layer(r, "relu", 256 * batch, uniform(batch, 256), torch.relu)
    for hw in (16, 32, 64):
        bench_layer(r, "maxpool2d", 16 * hw * hw * 32, uniform(32, 16, hw, hw), lambda x: F.max_pool2d(x, 2, 2))
    for length in (256, 1024, 4096):
        bench_layer(r, "maxpool1d", 16 * length * 32, uniform(32, 16, length), lambda x: F.max_pool1d(x, 3, 1))
    for f in (16, 64, 256, 1024):
        bench_layer(r, "sort", f, uniform(256, f),
                    lambda x: torch.sort(x, dim=1, descending=True, stable=True).values)


def bench_alloc(r, label):
    """The batch program's value-only pass at 1e4 points before any autograd pass, then a gradient,
    then the value-only pass again: shows what glibc's malloc settings do to PyTorch (scripts/bench
    runs this once with its allocator settings and once with glibc's defaults)."""
    n = 10000
    g = torch.Generator().manual_seed(7)
    cols = [torch.rand(n, generator=g, dtype=DT) * 1.5 + 0.5 for _ in range(4)]
    leaves = [c.clone().requires_grad_() for c in cols]
    ones = torch.ones(n, dtype=DT)

    def function():
        with torch.no_grad():
            return batch_program(*cols)

    def gradient():
        y = batch_program(*leaves)
        return torch.autograd.grad(y, leaves, ones)

    r.run(f"{label}/torch/function-first/{n}", function)
    r.run(f"{label}/torch/gradient/{n}", gradient)
    r.run(f"{label}/torch/function-after/{n}", function)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-time", type=float, default=0.2)
    ap.add_argument("--only", default="batch,mlp,layers", help="comma-separated: batch, mlp, layers, alloc")
    ap.add_argument("--alloc-label", default="alloc")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    context = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host_name": platform.node(),
        "executable": "torch_peers.py",
        "library": "torch",
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "torch_threads": torch.get_num_threads(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()
        if hasattr(torch.backends, "cpu") and hasattr(torch.backends.cpu, "get_cpu_capability") else "",
        "torch_config": torch.__config__.show(),
        "dtype": "float64",
    }
    context.update(blas_info())
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, BLAS "
          f"{context.get('openblas_corename', context['blas_libraries'])}, "
          f"OPENBLAS_CORETYPE={context['OPENBLAS_CORETYPE']}", flush=True)

    r = Runner(args.min_time)
    only = set(args.only.split(","))
    if "alloc" in only:
        bench_alloc(r, args.alloc_label)
    if "batch" in only:
        bench_batch(r)
    if "mlp" in only:
        bench_mlp(r)
    if "layers" in only:
        bench_layers(r)
    with open(args.out, "w") as f:
        json.dump({"context": context, "benchmarks": r.results}, f, indent=1)


if __name__ == "__main__":
    main()
