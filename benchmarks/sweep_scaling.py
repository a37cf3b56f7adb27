"""Sweep throughput: points per second and per-point overhead of the executors, against a serial baseline.

A sweep of tiny Ising points (L=4, 50 Metropolis sweeps, no burn-in; shorter runs can trip the estimators) runs
(a) serially in this process, calling the sweep's task directly (the baseline: simulation, shard file, analysis),
and (b) through ``run_sweep`` on a local process pool and on a Dask LocalCluster with 1 and 2 workers. Executors
are started and warmed up (imports, Numba cache) before timing; "start+warm" is that time (start, then a first
sweep of 4 points per worker). Overhead per point = workers * wall / points - baseline: the worker time each point
costs beyond the work itself. Best of --repeat runs each.

    python benchmarks/sweep_scaling.py [--points 64] [--repeat 3]
"""
from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from statmech_nn.sweep import LocalPool, dask_executor, load_spec, run_sweep
from statmech_nn.sweep.worker import run_point


def spec(points: int, seed: int = 1) -> dict:
    return {"study": "ising", "seed": seed, "fixed": {"L": 4, "algorithm": "metropolis", "sweeps": 50, "burn_in": 0},
            "grid": {"T": {"start": 1.5, "stop": 3.5, "num": points}}}


def serial(points: int, tmp: Path, repeat: int) -> float:
    """Best seconds per point running the sweep's task in this process, one point after the other."""
    s = load_spec(spec(points))
    run_point(s.study, s.values(0), 0, str(tmp / "warm.h5"), 1, [])  # imports and Numba cache
    best = float("inf")
    for r in range(repeat):
        t0 = time.perf_counter()
        for i in range(points):
            run_point(s.study, s.values(i), i, str(tmp / f"serial-{r}-{i}.h5"), 1, [])
        best = min(best, time.perf_counter() - t0)
    return best / points


def timed_sweep(make, workers: int, points: int, tmp: Path, repeat: int) -> tuple[float, float]:
    """(seconds to start and warm up the executor, best wall seconds of the sweep on the warm executor)."""
    t0 = time.perf_counter()
    with make() as executor:
        run_sweep(spec(4 * workers, seed=2), tmp / "warm.h5", executor=executor, workers=workers, overwrite=True)
        startup = time.perf_counter() - t0
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            outcome = run_sweep(spec(points), tmp / "timed.h5", executor=executor, workers=workers, overwrite=True)
            best = min(best, time.perf_counter() - t0)
            assert outcome.done == points, outcome
    return startup, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = serial(args.points, tmp, args.repeat)
        print(f"{args.points} points of L=4, 50 Metropolis sweeps; serial in-process baseline: "
              f"{1e3 * base:.1f} ms/point ({1 / base:.0f} points/s)\n")
        print(f"{'executor':<22}{'start+warm s':>13}{'wall s':>9}{'points/s':>10}{'vs serial':>11}"
              f"{'overhead ms/pt':>16}")
        for name, workers, make in [
            ("process pool", 1, lambda: LocalPool(1)),
            ("process pool", 2, lambda: LocalPool(2)),
            ("dask LocalCluster", 1, lambda: dask_executor("local", 1)),
            ("dask LocalCluster", 2, lambda: dask_executor("local", 2)),
        ]:
            startup, wall = timed_sweep(make, workers, args.points, tmp, args.repeat)
            rate = args.points / wall
            overhead = workers * wall / args.points - base
            print(f"{name + f' x{workers}':<22}{startup:>13.2f}{wall:>9.2f}{rate:>10.0f}{rate * base:>10.2f}x"
                  f"{1e3 * overhead:>16.1f}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
