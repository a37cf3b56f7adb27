"""Mean-field phase diagrams over (σ_w², σ_b²) in one Numba call.

:func:`phase_diagram` solves every grid point with the solvers of :mod:`.fixed_points` (same numbers as
:func:`~.fixed_points.fixed_point`), in parallel over σ_b² columns; along a column σ_w² is visited in the given
order and each Newton iteration starts from q* and c* extrapolated from the two previous points. No random numbers
are involved, so the result does not depend on the number of threads. Cost (tanh on Poole et al.'s grid):
~25 µs per point for q* and χ_1, ~0.6 ms per point with c* and ξ_c (≈ 1.5 ms per chaotic point);
benchmarks/meanfield_grid.py compares with scipy. Without ``correlations`` the grid is solved by
:func:`.qtable.q_grid` from a Chebyshev table of the one-point moments (~0.5 µs per point, agreeing with the
per-point solver to ~1e-13 relative).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .activations import activation
from .fixed_points import FIELDS, depth_scale, sigma_w2_critical, solve_point
from .qtable import predict as _predict, q_grid


@njit(cache=True, parallel=True)
def _grid(kernel, phi, dphi, d2phi, sw2, sb2, correlations, out):
    for j in prange(sb2.size):
        for i in range(sw2.size):
            q_guess = _predict(sw2, out[:, j, 0], i)
            c_guess = _predict(sw2, out[:, j, 4], i)
            solve_point(kernel, phi, dphi, d2phi, sw2[i], sb2[j], q_guess, c_guess, correlations, out[i, j])


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
    if correlations:
        out = np.full((sw2.size, sb2.size, len(FIELDS)), np.nan)
        _grid(a.kernel, a.phi, a.dphi, a.d2phi, sw2, sb2, correlations, out)
        result = {name: out[..., k] for k, name in enumerate(FIELDS)}
        result["xi_c"] = depth_scale(result["chi_c"])
        result["xi_q"] = depth_scale(result["dV"])
        with np.errstate(divide="ignore"):
            result["xi_grad"] = np.where(result["chi1"] == 1.0, np.inf, -1.0 / np.log(result["chi1"]))
        result["sigma_w2"], result["sigma_b2"] = sw2, sb2
    else:
        result = q_grid(a, sw2, sb2)
    if critical_line:
        result["sigma_w2_critical"] = np.array([sigma_w2_critical(a, b) for b in sb2])
    return result
