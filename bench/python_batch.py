#!/usr/bin/python3
"""What the Python binding adds to a batch: selgrad.batch against the C++ BatchEvaluator alone.

Both run in this process on the same points. The baseline is measured inside the extension
module (_selgrad._time_batch) in two forms: `fresh` compiles the program, builds an evaluator
and a new BatchResult per batch, as selgrad.batch does; `reused` only evaluates, into one
result, as a C++ loop over batches does. selgrad.batch adds reading the array, the conversion of
its results to numpy arrays (views, no copies) and the Python layer.

Usage: PYTHONPATH=<build>/python /usr/bin/python3 bench/python_batch.py [--points N ...]
[--repetitions R] [--json FILE]
"""

import argparse
import json
import statistics
import sys
import time

import numpy

import selgrad

# A small loss-like program: 3 inputs, 10 ops, 3 selections, exp/log through softplus and log.
PROGRAM = """
input x y w
d = sub x y
a = abs d
s = softplus x
m = max a s
r = relu w
p = mul m y
l = lin 1 1/2 r 1 p
q = mul l l
z = add q a
t = log s
output z t
"""


def measure(program, n, repetitions, gradient):
    """Medians of the three timings, and of their ratios. The three run in turn within each
    repetition, so that a machine whose load changes affects them alike."""
    rng = numpy.random.default_rng(1)
    X = rng.uniform(-2, 2, size=(n, program.p))
    selgrad.batch(program, X, gradient=gradient)  # warm up (pages, caches)
    python, fresh, reused = [], [], []
    for _ in range(repetitions):
        t0 = time.perf_counter()
        selgrad.batch(program, X, gradient=gradient)
        python.append(time.perf_counter() - t0)
        cpp = selgrad._selgrad._time_batch(program, X, gradient, 1)
        fresh += cpp["fresh"]
        reused += cpp["reused"]
    med = statistics.median
    return {
        "points": n,
        "gradient": gradient,
        "python_s": med(python),
        "cpp_fresh_s": med(fresh),
        "cpp_reused_s": med(reused),
        "python_ns_per_point": med(python) / n * 1e9,
        "cpp_reused_ns_per_point": med(reused) / n * 1e9,
        "python_over_fresh": med([p / f for p, f in zip(python, fresh)]),
        "python_over_reused": med([p / r for p, r in zip(python, reused)]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--repetitions", type=int, default=21)
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    program = selgrad.Program(PROGRAM)
    rows = [measure(program, n, args.repetitions, g) for n in args.points for g in (True, False)]
    print(f"{'points':>8} {'gradient':>8} {'python ms':>10} {'C++ fresh ms':>13} {'C++ reused ms':>14} "
          f"{'ns/pt py':>9} {'ns/pt C++':>10} {'py/fresh':>9} {'py/reused':>10}")
    for r in rows:
        print(f"{r['points']:>8} {str(r['gradient']):>8} {r['python_s'] * 1e3:>10.3f} {r['cpp_fresh_s'] * 1e3:>13.3f} "
              f"{r['cpp_reused_s'] * 1e3:>14.3f} {r['python_ns_per_point']:>9.1f} {r['cpp_reused_ns_per_point']:>10.1f} "
              f"{r['python_over_fresh']:>9.3f} {r['python_over_reused']:>10.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
