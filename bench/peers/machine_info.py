#!/usr/bin/env python3
"""Writes machine.json for render.py: CPU, cores, memory, OS, compiler and the flags the peers
were compiled with, package versions, the run's date, options and duration.

Usage: machine_info.py BUILD_DIR OUT.json MIN_TIME ELAPSED_SECONDS
"""

import json
import os
import re
import shlex
import subprocess
import sys
import time


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def lscpu():
    info = {}
    for line in run(["lscpu"]).splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    return info


def compile_flags(build_dir):
    """The flags of one peers object, from the build system's own command line."""
    out = run(["ninja", "-C", build_dir, "-t", "commands", "bench/peers/dag_peers"])
    for line in out.splitlines():
        if "dag_selgrad.cpp" in line and " -c " in line:
            words = shlex.split(line)
            keep = [w for w in words[1:] if re.match(r"-(O|m|f|std=|DNDEBUG)", w) and not w.startswith("-MF")]
            return " ".join(dict.fromkeys(keep))
    return "?"


def version(pkg):
    out = run(["dpkg-query", "-W", "-f=${Version}", pkg]).strip()
    return out.split("+")[0].split("-")[0] if out else "?"


def per_instance(text):
    """lscpu's "2 MiB (2 instances)" -> "1 MiB per core"; "32 MiB (1 instance)" -> "32 MiB shared"."""
    m = re.match(r"([\d.]+)\s*(\w+)\s*\((\d+) instances?\)", text or "")
    if not m:
        return text or "?"
    size, unit, n = float(m.group(1)), m.group(2), int(m.group(3))
    if n == 1:
        return f"{size:g} {unit} shared"
    return f"{size / n:g} {unit} per core"


def main():
    build_dir, out, min_time, elapsed = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    cpu = lscpu()
    flags = cpu.get("Flags", "").split()
    simd = "AVX-512 (F, DQ, BW, VL)" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    os_name = ""
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    compiler = run(["c++", "--version"]).splitlines()[0] if run(["c++", "--version"]) else "?"
    versions = (f"ADOL-C {version('libadolc-dev')}, Sacado (Trilinos) {version('libtrilinos-sacado-dev')}, "
                f"Eigen {version('libeigen3-dev')} (AutoDiffScalar), PyTorch {version('python3-torch')}, "
                f"OpenBLAS {version('libopenblas0-pthread')}, SLEEF {version('libsleef-dev')}, "
                f"Google Benchmark {version('libbenchmark-dev')}, all Debian packages")
    m, s = divmod(int(round(elapsed)), 60)
    data = {
        "cpu_model": cpu.get("Model name", "?") + (f" (family {cpu.get('CPU family')}, model {cpu.get('Model')})"
                                                    if cpu.get("CPU family") else ""),
        "cores": cpu.get("CPU(s)", "?"),
        "threads_per_core": cpu.get("Thread(s) per core", "?"),
        "simd": simd,
        "l2": per_instance(cpu.get("L2 cache")),
        "l3": per_instance(cpu.get("L3 cache")),
        "memory": mem,
        "os": os_name,
        "compiler": compiler,
        "flags": compile_flags(build_dir),
        "versions": versions,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "min_time": min_time,
        "elapsed": f"{m} min {s:02d} s",
    }
    with open(out, "w") as f:
        json.dump(data, f, indent=1)


if __name__ == "__main__":
    main()
