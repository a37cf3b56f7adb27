"""Mean-field phase-diagram grids: the table solvers against the per-point solver and scipy, timed in the same run.

Grid (tanh, Poole et al.'s range σ_w ∈ [1, 5], σ_b ∈ [0, 4]): q* and χ_1 on ``--n-q`` × ``--n-q`` points
(:func:`statmech_nn.meanfield.qtable.q_grid`), then c*, χ_c and ξ_c on ``--n-c`` × ``--n-c`` points
(:func:`statmech_nn.meanfield.phase_diagram`, which adds the pair-moment table of :mod:`statmech_nn.meanfield.ctable`).
Every time is the best of ``--repeats`` runs; c* is timed cold (the activation's pair table built inside the
timing, as on a process's first call) and warm (table cached).

Baselines, in the same run:

* the per-point Numba solver (:func:`statmech_nn.meanfield.phase.per_point_grid`, every Newton step a quadrature;
  what ``phase_diagram`` ran before the tables): q* on the whole grid; c* on every ``--stride``-th σ_b² column
  (each column whole, so warm starts are as on the grid), extrapolated to the grid. Printed: both times, their
  ratio, the largest differences on the common points (c*: absolute; χ_c, ξ_c: relative; by distance |1 − χ_c|
  from the critical line, near which c* is ill-conditioned for both solvers), and the target (``TARGET_S`` s);
* ``scipy.integrate.quad`` (nested for the 2-D expectations, default tolerances) with ``scipy.optimize.brentq`` on a
  random sample of points (for c*: of the chaotic points, where c* < 1): seconds per point and the largest
  relative difference (the baseline's own error: ours is ~1e-13).

The exit status is 1 if a grid misses its target.

    python benchmarks/meanfield_grid.py --n-q 1000 --n-c 200 --sample-q 40 --sample-c 4 --repeats 5
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import integrate, optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to

from statmech_nn.meanfield import ACTIVATIONS, ctable, depth_scale, phase_diagram  # noqa: E402
from statmech_nn.meanfield.phase import per_point_grid  # noqa: E402
from statmech_nn.meanfield.qtable import q_grid  # noqa: E402

TARGET_S = 1.0  # seconds for either grid on 2 cores (issue 13)


def _gauss(f):
    return integrate.quad(lambda z: f(z) * math.exp(-0.5 * z * z), -np.inf, np.inf)[0] / math.sqrt(2 * math.pi)


def _sech(x: float) -> float:
    e = math.exp(-abs(x))
    return 2.0 * e / (1.0 + e * e)


def scipy_q_star(sw2: float, sb2: float) -> tuple[float, float]:
    """(q*, χ_1) by quad + brentq."""
    def residual(q):
        return sw2 * _gauss(lambda z: math.tanh(math.sqrt(q) * z) ** 2) + sb2 - q
    q = optimize.brentq(residual, 1e-12, sw2 + sb2 + 1.0) if sb2 > 0 else (
        optimize.brentq(residual, 1e-6, sw2 + 1.0) if sw2 > 1 else 0.0)
    return q, sw2 * _gauss(lambda z: _sech(math.sqrt(q) * z) ** 4)


def scipy_c_star(sw2: float, sb2: float) -> tuple[float, float]:
    """(c*, ξ_c) by nested quad + brentq."""
    q, chi1 = scipy_q_star(sw2, sb2)

    def pair(f, c):
        s = math.sqrt(1 - c * c)
        return _gauss(lambda z1: f(math.sqrt(q) * z1) * _gauss(lambda z2: f(math.sqrt(q) * (c * z1 + s * z2))))

    if chi1 <= 1:
        c = 1.0
        chi_c = chi1
    else:
        c = optimize.brentq(lambda c: (sw2 * pair(math.tanh, c) + sb2) / q - c, 0.0, 1 - 1e-6)
        chi_c = sw2 * pair(lambda u: _sech(u) ** 2, c)
    return c, -1.0 / math.log(chi_c)


def best_of(repeats: int, run, before=None) -> tuple[float, object]:
    """(least wall time of ``repeats`` calls of ``run``, its last result); ``before`` runs untimed before each."""
    best, result = math.inf, None
    for _ in range(repeats):
        if before is not None:
            before()
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def scipy_rows(pd, sw2, sb2, keys, baseline, k, chaotic_only, ours_s, rng):
    """(s/point of the scipy baseline on k random points, speed-up, largest relative difference)."""
    candidates = np.argwhere(pd["chi1"] > 1) if chaotic_only else np.argwhere(np.isfinite(pd["chi1"]))
    points = [tuple(candidates[m]) for m in rng.choice(len(candidates), size=k, replace=False)]
    t0 = time.perf_counter()
    ref = [baseline(sw2[i], sb2[j]) for i, j in points]
    theirs = (time.perf_counter() - t0) / k
    diff = max(abs(pd[key][i, j] - r[m]) / max(abs(r[m]), 1e-12) for (i, j), r in zip(points, ref)
               for m, key in enumerate(keys))
    ours = ours_s / (sw2.size * sb2.size)
    return ours, theirs, theirs / ours, diff


def c_differences(ours: dict, ref: dict) -> str:
    """Largest differences between two c* grids on their common points, by distance |1 − χ_c| from the critical line
    (c*: absolute; χ_c, ξ_c: relative)."""
    gap = np.abs(1 - ref["chi_c"])
    parts = []
    for name, mask in ((">= 1e-2", gap >= 1e-2), ("in [1e-3, 1e-2)", (gap >= 1e-3) & (gap < 1e-2)),
                       ("< 1e-3", gap < 1e-3)):
        if not mask.any():
            continue
        dc = np.max(np.abs(ours["c_star"] - ref["c_star"])[mask])
        dchi = np.max(np.abs(ours["chi_c"] / ref["chi_c"] - 1)[mask])
        with np.errstate(divide="ignore", invalid="ignore"):
            dxi = np.nanmax(np.abs(ours["xi_c"] / ref["xi_c"] - 1)[mask])
        parts.append(f"|1-chi_c| {name} ({mask.sum()} points): c* {dc:.1g}, chi_c {dchi:.1g}, xi_c {dxi:.1g}")
    return "\n    ".join(parts)


def verdict(label: str, seconds: float) -> str:
    return f"{label}: {seconds:.2f} s (target < {TARGET_S:g} s) {'PASS' if seconds < TARGET_S else 'FAIL'}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-q", type=int, default=1000, help="q*, χ_1 grid is n × n")
    parser.add_argument("--n-c", type=int, default=200, help="c*, ξ_c grid is n × n")
    parser.add_argument("--sample-q", type=int, default=40, help="scipy baseline points for q*, χ_1")
    parser.add_argument("--sample-c", type=int, default=4, help="scipy baseline points for c*, ξ_c")
    parser.add_argument("--stride", type=int, default=10, help="per-point c* baseline on every stride-th column")
    parser.add_argument("--repeats", type=int, default=5, help="timings are the best of this many runs")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"load average before (1, 5, 15 min): {os.getloadavg()}", flush=True)
    for name in ACTIVATIONS:  # compile (or load the cache) outside the timings
        phase_diagram(name, [1.0, 2.0], [0.0, 0.5])
    per_point_grid("tanh", [1.0, 2.0], [0.0, 0.5])
    lines, targets = [], []

    # q*, χ_1: the moment table against the per-point solver on the whole grid
    n = args.n_q
    sw2, sb2 = np.linspace(1.0, 5.0, n) ** 2, np.linspace(0.0, 4.0, n) ** 2
    ours_q, pd = best_of(args.repeats, lambda: q_grid("tanh", sw2, sb2))
    old_q, old = best_of(1, lambda: per_point_grid("tanh", sw2, sb2, correlations=False))
    with np.errstate(invalid="ignore"):  # q* = 0 in both
        diff_q = max(np.nanmax(np.abs(pd[key] / old[key] - 1)) for key in ("q_star", "chi1"))
    lines.append(f"q*, chi1 {n}x{n}: per-point solver {old_q:.2f} s, table solver {ours_q:.3f} s "
                 f"(x{old_q / ours_q:.0f}), max rel diff {diff_q:.2g}")
    targets.append(verdict(f"q*, chi1 {n}x{n}", ours_q))
    rows = [("q*, chi1", f"{n}x{n}", ours_q,
             *scipy_rows(pd, sw2, sb2, ("q_star", "chi1"), scipy_q_star, args.sample_q, False, ours_q, rng))]
    print("done q*", file=sys.stderr, flush=True)

    # c*, χ_c, ξ_c: the pair table (cold and warm) against the per-point solver on every stride-th column
    n = args.n_c
    sw2, sb2 = np.linspace(1.0, 5.0, n) ** 2, np.linspace(0.0, 4.0, n) ** 2
    cold, pd = best_of(args.repeats, lambda: phase_diagram("tanh", sw2, sb2, critical_line=False),
                       before=ctable._TABLES.clear)
    warm, _ = best_of(args.repeats, lambda: phase_diagram("tanh", sw2, sb2, critical_line=False))
    build, _ = best_of(args.repeats, lambda: ctable.build_pair_table("tanh"))
    columns = np.arange(0, n, args.stride)
    old_part, old = best_of(1, lambda: per_point_grid("tanh", sw2, sb2[columns]))
    old_c = old_part * n / columns.size
    ours_cols = {key: pd[key][:, columns] for key in ("c_star", "chi_c", "xi_c")}
    old["xi_c"] = depth_scale(old["chi_c"])
    lines.append(f"c*, xi_c {n}x{n}: per-point solver {old_c:.1f} s (extrapolated from {columns.size} of {n} "
                 f"columns: {old_part:.2f} s), table solver {cold:.3f} s cold (pair table built inside: {build:.3f} s "
                 f"alone), {warm:.3f} s warm; speed-up x{old_c / cold:.0f} cold, x{old_c / warm:.0f} warm")
    lines.append(f"  max differences on those columns:\n    {c_differences(ours_cols, old)}")
    targets.append(verdict(f"c*, xi_c {n}x{n}", cold))
    rows.append(("c*, xi_c", f"{n}x{n}", cold,
                 *scipy_rows(pd, sw2, sb2, ("c_star", "xi_c"), scipy_c_star, args.sample_c, True, cold, rng)))
    print("done c*", file=sys.stderr, flush=True)

    # every built-in activation, cold: pair table (quadrature activations) or closed-form pair moments
    timings = []
    for name in ACTIVATIONS:
        how = "table" if ctable.build_pair_table(name)[0].size else "closed form"
        seconds, _ = best_of(args.repeats, lambda: phase_diagram(name, sw2, sb2, critical_line=False),
                             before=ctable._TABLES.clear)
        timings.append(f"{name} {seconds:.2f} s ({how})")
    lines.append(f"c*, xi_c {n}x{n} cold, every activation: " + ", ".join(timings))

    print(f"{'quantity':<10} {'grid':>9} {'grid s':>8} {'s/point':>10} {'scipy s/point':>14} {'speed-up':>10} "
          f"{'max rel diff':>13}")
    for label, grid, total, ours, theirs, ratio, diff in rows:
        print(f"{label:<10} {grid:>9} {total:>8.3f} {ours:>10.3g} {theirs:>14.3g} {ratio:>10.3g} {diff:>13.2g}")
    print()
    print("\n".join(lines))
    print("\n".join(targets))
    print(f"load average after (1, 5, 15 min): {os.getloadavg()}")
    return 0 if all(line.endswith("PASS") for line in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
