"""Mean-field phase diagrams over (σ_w², σ_b²).

:func:`phase_diagram` solves q*, χ_1, χ_2, V'(q*) with :func:`.qtable.q_grid` (a Chebyshev table of the one-point
moments) and c*, χ_c with :func:`.ctable.c_grid` (a Chebyshev table of the pair moments for activations integrated
by quadrature; closed forms otherwise). Both run the safeguarded Newton iterations of :mod:`.fixed_points`, in
parallel over σ_b² columns, each point warm-started from the previous two of its column; no random numbers are
involved, so the result does not depend on the number of threads. They agree with the per-point solver
(:func:`~.fixed_points.fixed_point`, :func:`per_point_grid`) to ~1e-13 (c*, χ_c: relative to |1 − χ_c| near the
critical line, where c* is ill-conditioned). Cost (tanh, Poole et al.'s grid, CPU time): the per-point solver
~0.6 ms per point (≈ 1.5 ms per chaotic point, every Newton step a 2-D quadrature); the tables ~0.1 s to build the
pair table (once per activation, kept while it lives), then ~1 µs per point for q* and ~2 µs per chaotic point for
c* (3.3 table evaluations); benchmarks/meanfield_grid.py times both on 200 × 200 points.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .activations import activation
from .ctable import c_grid
from .fixed_points import FIELDS, sigma_w2_critical, solve_point
from .qtable import predict as _predict, q_grid


@njit(cache=True, parallel=True)
def _grid(kernel, phi, dphi, d2phi, sw2, sb2, correlations, out):
    """out[i, j] = :func:`.fixed_points.solve_point` at every point (exact moments in every Newton step)."""
    for j in prange(sb2.size):
        for i in range(sw2.size):
            q_guess = _predict(sw2, out[:, j, 0], i)
            c_guess = _predict(sw2, out[:, j, 4], i)
            solve_point(kernel, phi, dphi, d2phi, sw2[i], sb2[j], q_guess, c_guess, correlations, out[i, j])


def per_point_grid(phi, sigma_w2, sigma_b2, correlations: bool = True) -> dict:
    """``q_star``, ``chi1``, ``chi2``, ``dV``, ``c_star``, ``chi_c`` on the grid by the per-point solver (every point
    as :func:`~.fixed_points.fixed_point`, warm-started along σ_w²): the reference the tables are checked against."""
    a = activation(phi)
    sw2 = np.ascontiguousarray(sigma_w2, dtype=float).ravel()
    sb2 = np.ascontiguousarray(sigma_b2, dtype=float).ravel()
    out = np.full((sw2.size, sb2.size, len(FIELDS)), np.nan)
    _grid(a.kernel, a.phi, a.dphi, a.d2phi, sw2, sb2, correlations, out)
    return {name: out[..., k] for k, name in enumerate(FIELDS)}


def phase_diagram(phi, sigma_w2, sigma_b2, *, correlations: bool = True, critical_line: bool = True) -> dict:
    """Mean-field quantities on the grid ``sigma_w2`` × ``sigma_b2`` (1-D arrays; results shaped (n_w, n_b)).

    Returns arrays ``q_star``, ``chi1``, ``chi2``, ``dV``, ``xi_q``, ``xi_grad`` and, if ``correlations``,
    ``c_star``, ``chi_c``, ``xi_c`` (definitions and conventions for q* ∈ {0, ∞, nan}: :mod:`.fixed_points`);
    the axes ``sigma_w2``, ``sigma_b2``; and, if ``critical_line``, ``sigma_w2_critical`` (n_b,): the χ_1 = 1
    contour σ_w²,c(σ_b²) solved at each σ_b² of the grid (not interpolated).
    """
    a = activation(phi)
    sw2 = np.ascontiguousarray(sigma_w2, dtype=float).ravel()
    sb2 = np.ascontiguousarray(sigma_b2, dtype=float).ravel()
    if not (np.all(sw2 > 0) and np.all(sb2 >= 0) and np.all(np.isfinite(sw2)) and np.all(np.isfinite(sb2))):
        raise ValueError("need finite sigma_w2 > 0 and sigma_b2 >= 0")
    result = q_grid(a, sw2, sb2)
    if correlations:
        result.update(c_grid(a, sw2, sb2, result["q_star"], result["chi1"]))
    if critical_line:
        result["sigma_w2_critical"] = np.array([sigma_w2_critical(a, b) for b in sb2])
    return result
