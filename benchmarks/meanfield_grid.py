"""Mean-field phase-diagram grids against a straightforward scipy implementation, timed in the same run.

Grid (tanh, Poole et al.'s range σ_w ∈ [1, 5], σ_b ∈ [0, 4]): q* and χ_1 on ``--n-q`` × ``--n-q`` points, then c*
and ξ_c on ``--n-c`` × ``--n-c`` points, with :func:`statmech_nn.meanfield.phase_diagram`. Baseline on a random
sample of the same points (for c*: of its chaotic points, where c* < 1): ``scipy.integrate.quad`` for the 1-D expectations and nested ``quad`` for the 2-D ones
(default tolerances), ``scipy.optimize.brentq`` for q* and c*. Printed: seconds per point for both, their ratio,
and the largest relative difference between the two (the baseline's own error: ours is ~1e-13).

q*, χ_1 are also solved, in the same run, by the per-point Numba solver that ``phase_diagram`` used before the
moment table (:mod:`statmech_nn.meanfield.qtable`): printed are both grid times, their ratio, the largest relative
difference over the whole grid, and the target each grid is held to (``TARGET_S`` seconds on 2 cores).

    python benchmarks/meanfield_grid.py --n-q 1000 --n-c 200 --sample-q 40 --sample-c 4
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import integrate, optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to

from statmech_nn.meanfield import activation, phase_diagram  # noqa: E402
from statmech_nn.meanfield.fixed_points import FIELDS  # noqa: E402
from statmech_nn.meanfield.phase import _grid  # noqa: E402

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


def per_point_q_grid(sw2, sb2) -> np.ndarray:
    """(q*, χ_1) on the grid by the per-point solver (every Newton step a quadrature), shape (n_w, n_b, 2)."""
    a = activation("tanh")
    out = np.full((sw2.size, sb2.size, len(FIELDS)), np.nan)
    _grid(a.kernel, a.phi, a.dphi, a.d2phi, sw2, sb2, False, out)
    return out[..., :2]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-q", type=int, default=1000, help="q*, χ_1 grid is n × n")
    parser.add_argument("--n-c", type=int, default=200, help="c*, ξ_c grid is n × n")
    parser.add_argument("--sample-q", type=int, default=40, help="baseline points for q*, χ_1")
    parser.add_argument("--sample-c", type=int, default=4, help="baseline points for c*, ξ_c")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    phase_diagram("tanh", [1.0, 2.0], [0.0, 0.5])  # compile (or load the cache) outside the timings
    phase_diagram("tanh", [1.0, 2.0], [0.0, 0.5], correlations=False, critical_line=False)
    per_point_q_grid(np.array([1.0, 2.0]), np.array([0.0, 0.5]))

    rows = []
    for label, n, k, correlations, keys, baseline in (
            ("q*, chi1", args.n_q, args.sample_q, False, ("q_star", "chi1"), scipy_q_star),
            ("c*, xi_c", args.n_c, args.sample_c, True, ("c_star", "xi_c"), scipy_c_star)):
        sw2, sb2 = np.linspace(1.0, 5.0, n) ** 2, np.linspace(0.0, 4.0, n) ** 2
        t0 = time.perf_counter()
        pd = phase_diagram("tanh", sw2, sb2, correlations=correlations, critical_line=False)
        ours = (time.perf_counter() - t0) / n**2
        # c* needs 2-D integrals only in the chaotic phase (χ_1 > 1): sample those points for c*
        candidates = np.argwhere(pd["chi1"] > 1) if correlations else np.argwhere(np.isfinite(pd["chi1"]))
        points = [tuple(candidates[m]) for m in rng.choice(len(candidates), size=k, replace=False)]
        t0 = time.perf_counter()
        ref = [baseline(sw2[i], sb2[j]) for i, j in points]
        theirs = (time.perf_counter() - t0) / k
        diff = max(abs(pd[key][i, j] - r[m]) / max(abs(r[m]), 1e-12)
                   for (i, j), r in zip(points, ref) for m, key in enumerate(keys))
        rows.append((label, f"{n}x{n}", ours * n**2, ours, theirs, theirs / ours, diff))
        if not correlations:
            t0 = time.perf_counter()
            old = per_point_q_grid(sw2, sb2)
            old_s = time.perf_counter() - t0
            with np.errstate(invalid="ignore"):  # q* = 0 in both
                old_diff = max(np.nanmax(np.abs(pd[key] / old[..., m] - 1)) for m, key in enumerate(keys))
            versus_old = (old_s, ours * n**2, old_s / (ours * n**2), old_diff)
        print(f"done {label}", file=sys.stderr, flush=True)

    print(f"{'quantity':<10} {'grid':>9} {'grid s':>8} {'s/point':>10} {'scipy s/point':>14} {'speed-up':>10} "
          f"{'max rel diff':>13}")
    for label, grid, total, ours, theirs, ratio, diff in rows:
        print(f"{label:<10} {grid:>9} {total:>8.2f} {ours:>10.3g} {theirs:>14.3g} {ratio:>10.3g} {diff:>13.2g}")
    old_s, new_s, ratio, diff = versus_old
    print(f"\nq*, chi1 on {args.n_q}x{args.n_q}: per-point solver {old_s:.2f} s, table solver {new_s:.2f} s "
          f"(x{ratio:.1f}), max rel diff {diff:.2g}")
    for label, grid, total, *_ in rows:
        print(f"target {label} {grid}: {total:.2f} s <= {TARGET_S} s on 2 cores: {'met' if total <= TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
