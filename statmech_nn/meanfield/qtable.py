"""q*, χ_1, χ_2, V'(q*) on large (σ_w², σ_b²) grids from a table of the one-point moments.

The q-map q ↦ σ_w² V(q) + σ_b² depends on φ only through V(q) = E[φ(√q z)²] (Poole et al. 2016), and χ_1, χ_2,
V'(q*) only through E[φ'²], E[φ''²], dV/dq at q*: four functions of q alone (:func:`.activations.moments1`). For
activations integrated by quadrature they are tabulated once per activation, as Chebyshev interpolants of degree
``DEGREE`` on the octaves q ∈ [2^(k−1), 2^k), k = ``K_LO`` + 1 … ``K_HI``. Each moment is analytic in q for Re q > 0
(the Gaussian kernel exp(−u²/2q)/√q is), and seen from an octave its nearest singularity, q = 0, lies at Bernstein
parameter ρ = 3 + √8, so the interpolation error is ~ρ^(−DEGREE) ≈ 1e-17 relative to the moment on that octave
(Trefethen, Approximation Theory and Approximation Practice, ch. 8); the table is as accurate as the quadrature
itself (~1e-13). Outside the table (q < 2^K_LO, q ≥ 2^K_HI) and for the closed-form activations the moments are
evaluated exactly. Every grid point is then solved independently by the safeguarded Newton iteration of
:func:`.fixed_points.solve_q`, warm-started from the previous point of its σ_b² column (columns in parallel, so
the result does not depend on the number of threads).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .activations import LINEAR, QUADRATURE, RELU, activation, moments1
from .fixed_points import depth_scale, newton_q, solve_q
from .moment_table import DEGREE, K_HI, K_LO, table_moments  # noqa: F401 - re-exported

_NODES = np.cos(np.pi * (np.arange(DEGREE + 1) + 0.5) / (DEGREE + 1))  # Chebyshev points of the first kind


@njit(cache=True)
def predict(x, y, i):
    """Starting guess for y[i]: linear extrapolation from y[i−2], y[i−1] (0 if unavailable, i.e. no guess)."""
    if i >= 2 and np.isfinite(y[i - 1]) and np.isfinite(y[i - 2]) and x[i - 1] != x[i - 2]:
        return y[i - 1] + (y[i - 1] - y[i - 2]) * (x[i] - x[i - 1]) / (x[i - 1] - x[i - 2])
    return y[i - 1] if i >= 1 and np.isfinite(y[i - 1]) else 0.0


@njit(cache=True)
def _fill_values(phi, dphi, d2phi, values):
    """values[k, :, n] = moments1 at node n of octave k (QUADRATURE kernels only)."""
    for k in range(values.shape[0]):
        lo = math.ldexp(1.0, K_LO + k)
        for n in range(_NODES.size):
            q = lo * (1.5 + 0.5 * _NODES[n])  # t ∈ [−1, 1] ↦ q ∈ [lo, 2 lo]
            m = moments1(QUADRATURE, phi, dphi, d2phi, q)
            for f in range(4):
                values[k, f, n] = m[f]


def moment_table(phi) -> np.ndarray:
    """Chebyshev coefficients (n_octaves, 4, DEGREE + 1) of moments1 on every octave (empty for closed forms)."""
    a = activation(phi)
    if a.kernel != QUADRATURE:
        return np.zeros((0, 4, DEGREE + 1))
    values = np.empty((K_HI - K_LO, 4, DEGREE + 1))
    _fill_values(a.phi, a.dphi, a.d2phi, values)
    n = DEGREE + 1
    basis = np.cos(np.pi * np.outer(np.arange(n), np.arange(n) + 0.5) / n) * (2.0 / n)  # c_j = (2/n) Σ f_k T_j(x_k)
    basis[0] *= 0.5
    return np.ascontiguousarray(np.einsum("jn,kfn->kfj", basis, values))


@njit(cache=True, error_model="numpy")
def solve_q_table(kernel, phi, dphi, d2phi, coef, at_zero, sw2, sb2, guess):
    """:func:`.fixed_points.solve_q` with the moments from the table and ``at_zero`` = moments1 at q = 0 (the same
    safeguarded Newton iteration, conventions and result)."""
    if kernel == LINEAR or kernel == RELU:
        return solve_q(kernel, phi, dphi, d2phi, sw2, sb2, guess)
    return newton_q(kernel, phi, dphi, d2phi, coef, (at_zero[0], at_zero[1], at_zero[2], at_zero[3]), sw2, sb2,
                    guess)


@njit(cache=True, parallel=True, error_model="numpy")
def _grid_q(kernel, phi, dphi, d2phi, coef, sw2, sb2, out):
    at_zero = np.array(moments1(kernel, phi, dphi, d2phi, 0.0))
    for j in prange(sb2.size):
        for i in range(sw2.size):
            q, m = solve_q_table(kernel, phi, dphi, d2phi, coef, at_zero, sw2[i], sb2[j], predict(sw2, out[:, j, 0], i))
            out[i, j, 0] = q
            if math.isinf(q) and not (kernel == LINEAR or kernel == RELU):
                continue  # χ's stay nan, as in fixed_points.solve_point
            out[i, j, 1], out[i, j, 2], out[i, j, 3] = sw2[i] * m[1], sw2[i] * m[2], sw2[i] * m[3]


def q_grid(phi, sigma_w2, sigma_b2, table: np.ndarray | None = None) -> dict:
    """``q_star``, ``chi1``, ``chi2``, ``dV``, ``xi_q``, ``xi_grad`` on the grid ``sigma_w2`` × ``sigma_b2``.

    Results shaped (n_w, n_b), equal to :func:`.phase.phase_diagram` with ``correlations=False`` to ~1e-13
    relative; ``table`` (from :func:`moment_table`) may be passed to reuse it across calls.
    """
    a = activation(phi)
    sw2 = np.ascontiguousarray(sigma_w2, dtype=float).ravel()
    sb2 = np.ascontiguousarray(sigma_b2, dtype=float).ravel()
    if not (np.all(sw2 > 0) and np.all(sb2 >= 0) and np.all(np.isfinite(sw2)) and np.all(np.isfinite(sb2))):
        raise ValueError("need finite sigma_w2 > 0 and sigma_b2 >= 0")
    coef = moment_table(a) if table is None else table
    out = np.full((sw2.size, sb2.size, 4), np.nan)
    _grid_q(a.kernel, a.phi, a.dphi, a.d2phi, coef, sw2, sb2, out)
    result = {name: out[..., k] for k, name in enumerate(("q_star", "chi1", "chi2", "dV"))}
    result["xi_q"] = depth_scale(result["dV"])
    with np.errstate(divide="ignore"):
        result["xi_grad"] = np.where(result["chi1"] == 1.0, np.inf, -1.0 / np.log(result["chi1"]))
    result["sigma_w2"], result["sigma_b2"] = sw2, sb2
    return result
