"""Throughput of the 2-D Ising kernels against the C anchor ``ising_checkerboard_simd.c``, timed in the same run.

For each L: ns per spin-flip attempt of ``checkerboard_chunk`` on one thread (Metropolis and heat bath; one measurement every
10 sweeps, like the anchor) and of the anchor built with ``gcc -O3 -march=native``, best of ``--repeat``; then Wolff
cluster flips per second when :mod:`statmech_nn.samplers.cluster` is available. Target: numba / anchor <= 1.5.
Last, the checkerboard kernel on 1 and 2 Numba threads at ``--threads-L`` (interleaved, median of ``--repeat``; the
two runs must end in the same spins and lanes). Target: 2-thread / 1-thread speed-up >= 1.7 at L = 1024.

The anchors are looked up in ``$STATMECH_NN_ANCHORS``, else in ``shared/anchors`` beside the repository.

    python benchmarks/ising_throughput.py --sizes 64 256 1024 --repeat 3
"""
from __future__ import annotations

import argparse
import os
import re
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
from statmech_nn.rng import seed_sequence, xoshiro128_lanes, xoshiro256_state  # noqa: E402
from statmech_nn.samplers.checkerboard import checkerboard_chunk  # noqa: E402

ANCHOR = "ising_checkerboard_simd.c"
TARGET = 1.5
THREADS_TARGET = 1.7
MEASURE_EVERY = 10


def anchor_dir() -> Path:
    env = os.environ.get("STATMECH_NN_ANCHORS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "anchors"


def build_anchor(workdir: Path) -> tuple[Path | None, str]:
    """Compile the anchor into ``workdir``; (executable, "") or (None, reason)."""
    source = anchor_dir() / ANCHOR
    if not source.is_file():
        return None, f"anchor {source} not found (set STATMECH_NN_ANCHORS)"
    gcc = shutil.which("gcc")
    if gcc is None:
        return None, "gcc not found"
    exe = workdir / "ising_anchor"
    proc = subprocess.run([gcc, "-O3", "-march=native", str(source), "-o", str(exe), "-lm"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None, f"gcc failed: {proc.stderr.strip()}"
    return exe, ""


def anchor_ns(exe: Path, L: int, sweeps: int, T: float) -> float:
    out = subprocess.run([str(exe), str(L), str(sweeps), repr(T)], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"ns_per_flip=([0-9.eE+-]+)", out).group(1))


def auto_sweeps(seconds_for, target: float) -> int:
    """A multiple of MEASURE_EVERY sweeps taking about ``target`` seconds, from ``seconds_for(sweeps)``."""
    sweeps = MEASURE_EVERY
    while (dt := seconds_for(sweeps)) < 0.05:
        sweeps *= 4
    return max(MEASURE_EVERY, int(target / dt * sweeps) // MEASURE_EVERY * MEASURE_EVERY)


def checkerboard_seconds(L: int, sweeps: int, beta: float, heat_bath: bool, final: list | None = None) -> float:
    """Wall time of ``sweeps`` sweeps from the ordered state (a measurement every MEASURE_EVERY sweeps); the final
    spins and lanes are appended to ``final`` if given."""
    spins = np.ones((L, L), dtype=np.int8)
    lanes = xoshiro128_lanes(seed_sequence(0, L), L // 2)
    rows = sweeps // MEASURE_EVERY
    energy, magnetization = np.empty(rows), np.empty(rows)
    t0 = time.perf_counter()
    checkerboard_chunk(spins, lanes, beta, 1.0, 0.0, heat_bath, MEASURE_EVERY, energy, magnetization)
    dt = time.perf_counter() - t0
    if final is not None:
        final.append((spins, lanes))
    return dt


def thread_speedup(L: int, sweeps: int, beta: float, repeat: int) -> tuple[float, float, bool]:
    """(median 1-thread ns per attempt, median 2-thread / 1-thread speed-up, both runs bit-identical), Metropolis,
    the two thread counts interleaved so that other load slows both alike."""
    n = numba.get_num_threads()
    times: dict[int, list[float]] = {1: [], 2: []}
    final: dict[int, list] = {1: [], 2: []}
    try:
        for _ in range(repeat):
            for threads in (1, 2):
                numba.set_num_threads(threads)
                times[threads].append(checkerboard_seconds(L, sweeps, beta, False, final[threads]))
    finally:
        numba.set_num_threads(n)
    same = all(np.array_equal(a, b) for a, b in zip(final[1][-1], final[2][-1]))
    one, two = np.median(times[1]), np.median(times[2])
    return 1e9 * one / (sweeps * L * L), one / two, same


def wolff_rows(wolff_chunk, L: int, beta: float, seconds: float, repeat: int) -> tuple[int, float, float]:
    """(sweeps, clusters flipped per second, ns per flipped spin) at ``beta`` and h = 0 (every cluster flips), best
    of ``repeat``. A sweep is K = round(L² / ⟨|C|⟩) clusters, ⟨|C|⟩ calibrated as in
    :class:`statmech_nn.samplers.ising.IsingChain`."""
    spins = np.ones((L, L), dtype=np.int8)
    state = xoshiro256_state(seed_sequence(1, L))

    def run(sweeps: int, k: int) -> tuple[float, int, int]:
        rows = sweeps // MEASURE_EVERY
        energy, magnetization = np.empty(rows), np.empty(rows)
        t0 = time.perf_counter()
        clusters, grown = wolff_chunk(spins, state, beta, 1.0, 0.0, MEASURE_EVERY, k, energy, magnetization)
        return time.perf_counter() - t0, clusters, grown

    _, clusters, grown = run(2 * MEASURE_EVERY, 0)  # compile, equilibrate, calibrate ⟨|C|⟩
    k = max(1, round(L * L * clusters / grown))
    sweeps = auto_sweeps(lambda n: run(n, k)[0], seconds)
    dt, clusters, grown = min(run(sweeps, k) for _ in range(repeat))
    return sweeps, clusters / dt, 1e9 * dt / grown


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024], help="even lattice sizes L")
    parser.add_argument("--sweeps", type=int, default=None, help="sweeps per timing (default: ~--seconds each)")
    parser.add_argument("--seconds", type=float, default=1.5, help="target duration of one timing")
    parser.add_argument("--repeat", type=int, default=3, help="timings per figure (the best is kept)")
    parser.add_argument("--T", type=float, default=T_CRITICAL, help="temperature (default Tc)")
    parser.add_argument("--threads-L", type=int, default=1024, help="L of the 1- vs 2-thread timing (0: skip)")
    args = parser.parse_args(argv)
    beta = 1.0 / args.T
    numba.set_num_threads(1)  # the anchor table compares one thread with the single-threaded C program
    checkerboard_seconds(2, MEASURE_EVERY, beta, False)  # compile (or load the cache) outside the timings

    with tempfile.TemporaryDirectory() as tmp:
        exe, why = build_anchor(Path(tmp))
        if exe is None:
            print(f"note: {why}; numba figures only")
        print(f"2-D Ising checkerboard at T = {args.T:.6f}: ns per spin-flip attempt, best of {args.repeat}")
        header = f"{'L':>6} {'sweeps':>8} {'metropolis':>11} {'heat-bath':>10}"
        print(header if exe is None else f"{header} {'anchor':>8} {'metro/anc':>10} {'hb/anc':>8}")
        ratios = {}
        for L in args.sizes:
            sweeps = args.sweeps or auto_sweeps(lambda n: checkerboard_seconds(L, n, beta, False), args.seconds)
            sweeps = max(MEASURE_EVERY, sweeps // MEASURE_EVERY * MEASURE_EVERY)
            best = {"metropolis": np.inf, "heat bath": np.inf, "anchor": np.inf}
            for _ in range(args.repeat):  # interleaved, so that a busy machine slows all three alike
                for name, heat_bath in (("metropolis", False), ("heat bath", True)):
                    dt = checkerboard_seconds(L, sweeps, beta, heat_bath)
                    best[name] = min(best[name], 1e9 * dt / (sweeps * L * L))
                if exe is not None:
                    best["anchor"] = min(best["anchor"], anchor_ns(exe, L, sweeps, args.T))
            line = f"{L:>6} {sweeps:>8} {best['metropolis']:>11.3f} {best['heat bath']:>10.3f}"
            if exe is not None:
                ratios[L] = (best["metropolis"] / best["anchor"], best["heat bath"] / best["anchor"])
                line += f" {best['anchor']:>8.3f} {ratios[L][0]:>10.2f} {ratios[L][1]:>8.2f}"
            print(line, flush=True)

    try:
        from statmech_nn.samplers.cluster import wolff_chunk
    except ImportError as exc:
        print(f"note: Wolff skipped ({exc})")
    else:
        print(f"Wolff at T = {args.T:.6f}, best of {args.repeat}")
        print(f"{'L':>6} {'sweeps':>8} {'clusters/s':>12} {'ns/flipped spin':>16}")
        for L in args.sizes:
            try:
                sweeps, rate, ns_spin = wolff_rows(wolff_chunk, L, beta, args.seconds, args.repeat)
            except TypeError as exc:  # wolff_chunk's signature is not the one this script knows
                print(f"note: Wolff skipped ({exc})")
                break
            print(f"{L:>6} {sweeps:>8} {rate:>12.4g} {ns_spin:>16.3f}", flush=True)

    speedup = None
    if args.threads_L and numba.config.NUMBA_NUM_THREADS < 2:
        print("note: thread speed-up skipped (fewer than 2 Numba threads)")
    elif args.threads_L:
        L = args.threads_L
        numba.set_num_threads(2)
        checkerboard_seconds(L, MEASURE_EVERY, beta, False)  # compile the parallel path outside the timings
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        sweeps = args.sweeps or auto_sweeps(lambda n: checkerboard_seconds(L, n, beta, False), args.seconds)
        sweeps = max(MEASURE_EVERY, sweeps // MEASURE_EVERY * MEASURE_EVERY)
        ns_one, speedup, same = thread_speedup(L, sweeps, beta, args.repeat)
        print(f"Metropolis at L = {L}, {sweeps} sweeps, median of {args.repeat}: 1 thread {ns_one:.3f} ns per "
              f"attempt, 2 threads {ns_one / speedup:.3f}; speed-up {speedup:.2f}; bit-identical: {same}")

    for L, (metro, heat) in ratios.items():
        verdict = "PASS" if max(metro, heat) <= TARGET else "FAIL"
        print(f"L={L} target: numba/anchor <= {TARGET} -> {verdict} (metropolis {metro:.2f}, heat bath {heat:.2f})")
    if speedup is not None:
        verdict = "PASS" if speedup >= THREADS_TARGET and same else "FAIL"
        print(f"L={args.threads_L} target: 2-thread / 1-thread >= {THREADS_TARGET} -> {verdict} ({speedup:.2f})")


if __name__ == "__main__":
    main()
