"""Throughput of the 64-replica multi-spin Metropolis kernel against both C anchors, timed in the same run.

For each L: ns per spin-flip attempt (one attempt = one site of one replica) of

* the anchor ``ising_checkerboard_simd.c`` (one lattice, int8 sublattices, SIMD lanes; one thread),
* the anchor ``ising_replicas_bitsliced.c`` (64 bit-sliced replicas, typewriter order; one thread),
* :func:`statmech_nn.samplers.multispin.multispin_chunk` on 1 and on 2 Numba threads (64 replicas at one T,
  a measurement of every replica's e and m every 10 sweeps, like the SIMD anchor),

each the best of ``--repeat`` interleaved timings from the ordered start at T (default T_c), anchors built with
``gcc -O3 -march=native``. Target: ours on 2 threads at least 5x the attempts per second of the SIMD anchor.
The 1- and 2-thread runs must end in the same words and streams. The load average is printed before and after;
the exit status is 1 when a size misses the target. For information, a second line per size compares CPU seconds
per attempt of the SIMD anchor and of ours on one thread, which other load inflates far less than wall time.

The anchors are looked up in ``$STATMECH_NN_ANCHORS``, else in ``shared/anchors`` beside the repository.

    python benchmarks/ising_replicas.py --sizes 256 1024 --repeat 7
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to

from statmech_nn.models.ising import T_CRITICAL  # noqa: E402
from statmech_nn.rng import seed_sequence  # noqa: E402
from statmech_nn.samplers import multispin as ms  # noqa: E402

ANCHORS = {"simd": "ising_checkerboard_simd.c", "bitsliced": "ising_replicas_bitsliced.c"}
TARGET = 5.0
MEASURE_EVERY = 10


def anchor_dir() -> Path:
    env = os.environ.get("STATMECH_NN_ANCHORS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "anchors"


def build(name: str, workdir: Path) -> Path:
    source = anchor_dir() / ANCHORS[name]
    gcc = shutil.which("gcc")
    if not source.is_file() or gcc is None:
        sys.exit(f"cannot build {source}: {'gcc not found' if gcc is None else 'no such file'}")
    exe = workdir / name
    subprocess.run([gcc, "-O3", "-march=native", str(source), "-o", str(exe), "-lm"], check=True)
    return exe


def anchor_ns(exe: Path, L: int, sweeps: int, T: float, cpu: list | None = None) -> float:
    """The anchor's own ns per attempt (wall clock); its CPU seconds are appended to ``cpu`` if given."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([str(exe), str(L), str(sweeps), repr(T)], capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return float(re.search(r"ns_per_flip=([0-9.eE+-]+)", out).group(1))


def ours(L: int, sweeps: int, T: float, threads: int, final: list | None = None, cpu: list | None = None) -> float:
    """ns per attempt of ``sweeps`` sweeps of 64 replicas from the ordered state on ``threads`` Numba threads; the
    CPU seconds of the process are appended to ``cpu`` if given."""
    words = np.zeros((L, L), np.uint64)
    streams = ms.replica_streams(seed_sequence(0, L), L)
    masks = ms.acceptance_masks(1.0 / T)
    rows = max(1, sweeps // MEASURE_EVERY)
    energy, magnetization = np.empty((rows, ms.REPLICAS)), np.empty((rows, ms.REPLICAS))
    numba.set_num_threads(threads)
    c0, t0 = time.process_time(), time.perf_counter()
    ms.multispin_chunk(words, streams, masks, 1.0, MEASURE_EVERY, energy, magnetization)
    dt = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(time.process_time() - c0)
    if final is not None:
        final.append((words, streams))
    return 1e9 * dt / (rows * MEASURE_EVERY * L * L * ms.REPLICAS)


def sweeps_for(ns_per_attempt: float, L: int, replicas: int, seconds: float, multiple: int = 1) -> int:
    """Sweeps of ``replicas`` lattices taking about ``seconds`` at ``ns_per_attempt``."""
    n = int(seconds / (ns_per_attempt * 1e-9 * L * L * replicas))
    return max(multiple, n // multiple * multiple)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024], help="even lattice sizes L")
    parser.add_argument("--seconds", type=float, default=0.5, help="target duration of one timing")
    parser.add_argument("--repeat", type=int, default=7, help="timings per figure (the best is kept)")
    parser.add_argument("--T", type=float, default=T_CRITICAL, help="temperature (default Tc)")
    args = parser.parse_args(argv)
    two = min(2, numba.config.NUMBA_NUM_THREADS)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for threads in sorted({1, two}):  # compile (or load the cache) outside the timings
        ours(16, MEASURE_EVERY, args.T, threads)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        exe = {name: build(name, Path(tmp)) for name in ANCHORS}
        print(f"2-D Ising Metropolis at T = {args.T:.6f}: ns per spin-flip attempt (site x replica), "
              f"best of {args.repeat}")
        print(f"{'L':>6} {'simd':>8} {'bitsliced':>10} {'ours 1t':>8} {f'ours {two}t':>8} "
              f"{'simd/1t':>8} {f'simd/{two}t':>8} {f'bits/{two}t':>8}  bit-identical")
        for L in args.sizes:
            probe = {"simd": anchor_ns(exe["simd"], L, 20, args.T),
                     "bitsliced": anchor_ns(exe["bitsliced"], L, 2, args.T), 1: ours(L, 20, args.T, 1)}
            sweeps = {"simd": sweeps_for(probe["simd"], L, 1, args.seconds, 10),
                      "bitsliced": sweeps_for(probe["bitsliced"], L, 64, args.seconds, 5),
                      "ours": sweeps_for(probe[1], L, 64, args.seconds, MEASURE_EVERY)}
            best = {"simd": np.inf, "bitsliced": np.inf, 1: np.inf, two: np.inf}
            final: dict[int, list] = {1: [], two: []}
            cpu: dict = {"simd": [], 1: []}
            for _ in range(args.repeat):  # interleaved, so that other load slows all of them alike
                for name in ANCHORS:
                    best[name] = min(best[name], anchor_ns(exe[name], L, sweeps[name], args.T, cpu.get(name)))
                for threads in sorted({1, two}):
                    best[threads] = min(best[threads], ours(L, sweeps["ours"], args.T, threads, final[threads],
                                                            cpu.get(threads)))
            same = all(np.array_equal(a, b) for a, b in zip(final[1][-1], final[two][-1]))
            results[L] = best["simd"] / best[two]
            print(f"{L:>6} {best['simd']:>8.4f} {best['bitsliced']:>10.4f} {best[1]:>8.4f} {best[two]:>8.4f} "
                  f"{best['simd'] / best[1]:>7.2f}x {results[L]:>7.2f}x {best['bitsliced'] / best[two]:>7.2f}x  {same}",
                  flush=True)
            cpu_simd = 1e9 * min(cpu["simd"]) / (sweeps["simd"] * L * L)  # includes the anchor's start-up
            cpu_ours = 1e9 * min(cpu[1]) / (sweeps["ours"] * L * L * ms.REPLICAS)
            print(f"{'':>6} CPU ns per attempt, one thread (less sensitive to load): simd {cpu_simd:.4f}, ours "
                  f"{cpu_ours:.4f}, ratio {cpu_simd / cpu_ours:.2f}x", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for L, ratio in results.items():
        verdict = "PASS" if ratio >= TARGET else "FAIL"
        print(f"L={L}: ours ({two} threads) vs SIMD anchor: {ratio:.1f}x (target >= {TARGET:g}x) {verdict}")
    if min(results.values(), default=TARGET) < TARGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
