"""c*, χ_c on large (σ_w², σ_b²) grids from a table of the pair moments (:mod:`.pair_table`).

Building the table. For each Chebyshev node b of each b panel the smoothed activation ψ_b(v) = E[φ(v + √b ε)] and
ψ'_b(v) = E[φ'(v + √b ε)] are computed once, at the nodes of a single v rule shared by every r of the table; each
cell value E_w[ψ_b(√r w)²] (eq. (1) of :mod:`.pair_table`) is then a reweighting of those values by the Gaussian
of variance r. So a table of ~10^5 values costs ~10^7 evaluations of φ, φ' — as many as ~300 of the two-dimensional
integrals (:func:`.quadrature.pair_kernel`) of the per-point solver; the b nodes are computed in parallel.

Both rules are the sinh-mapped trapezoid rules of :mod:`.quadrature` (step H = 0.1, |z| ≤ 8.5): the inner one in
ε, recentred on v + √b ε = 0 when √b > 1 (as the inner rule of a pair there); the outer one v = s sinh(tH), with
s half the smallest √r node of the table and reaching 8.5 √r for the largest, weighted and normalised for each r:
near v = 0 it resolves ψ_b on the scale of φ's features, and at |v| ≈ √r it has ~10 nodes per standard deviation
whatever r is. Most of its nodes lie in |v| < 1/2, where ψ_b comes from its Chebyshev interpolant through 32
exact values (error ~6.4^−32 for φ analytic in |Im u| < π/2, as tanh).

Solving. :func:`c_grid` takes q* and χ_1 (from :func:`.qtable.q_grid`) and runs the safeguarded Newton iteration
of :func:`.fixed_points.newton_c` for c* at every chaotic point (χ_1 > 1) with the tabulated moments (exact ones
where (q*, c) is outside the table), warm-started from the previous points of its σ_b² column; columns run in
parallel, so the result does not depend on the number of threads.
"""
from __future__ import annotations

import math
import weakref

import numpy as np
from numba import njit, prange

from .activations import QUADRATURE, activation
from .fixed_points import depth_scale, newton_c
from .pair_table import DEGREE, N_PANELS, NO_PAIR_TABLE, cell_index, panel_edges
from .quadrature import H, M_RECENTRE, Z_MAX, _STD_W, _STD_Z, _node, _span
from .qtable import predict

_NODES = np.cos(np.pi * (np.arange(DEGREE + 1) + 0.5) / (DEGREE + 1))  # Chebyshev points of the first kind
V_CORE, CORE_NODES = 0.5, 32  # ψ_b is analytic in |Im v| < π/2 (tanh): interpolation error ~ 6.4^−32 on |v| < 1/2
_CORE = np.cos(np.pi * (np.arange(CORE_NODES) + 0.5) / CORE_NODES)
_CORE_W = np.sin(np.pi * (np.arange(CORE_NODES) + 0.5) / CORE_NODES) * (-1.0) ** np.arange(CORE_NODES)
_TABLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # activation -> pair table (a pure memo)


@njit(cache=True)
def _smoothed(phi, dphi, v, b):
    """(ψ_b(v), ψ'_b(v)) = (E[φ(v + √b ε)], E[φ'(v + √b ε)])."""
    sb = math.sqrt(b)
    tot = totd = norm = 0.0
    m = -v / sb if sb > 1.0 else 0.0
    if sb > 1.0 and abs(m) < M_RECENTRE:
        s = 1.0 / sb
        for j in range(-_span(s, Z_MAX + m), _span(s, Z_MAX - m) + 1):
            z, w = _node(m, s, j)
            u = v + sb * z
            tot += w * phi(u)
            totd += w * dphi(u)
            norm += w
    else:
        for j in range(_STD_Z.size):
            u = v + sb * _STD_Z[j]
            tot += _STD_W[j] * phi(u)
            totd += _STD_W[j] * dphi(u)
            norm += _STD_W[j]
    return tot / norm, totd / norm


@njit(cache=True, parallel=True, error_model="numpy")
def _pair_values(phi, dphi, v, weights, b_nodes, out):
    """out[f, k, n] = E_w[ψ_b(√r w)²] (f = 0), E_w[ψ'_b(√r w)²] (f = 1) at b = b_nodes[k], r = r node n, by the
    outer rule (nodes ``v``, ``weights`` (r node, v node)). ψ_b(v_j) for |v_j| < V_CORE (most nodes of the outer rule)
    comes from the degree-(CORE_NODES − 1) Chebyshev interpolant through exact values on [−V_CORE, V_CORE]."""
    n = _CORE.size
    for k in prange(b_nodes.size):
        psi = np.empty((2, v.size))
        core = np.empty((2, n))
        for i in range(n):
            core[0, i], core[1, i] = _smoothed(phi, dphi, V_CORE * _CORE[i], b_nodes[k])
        for j in range(v.size):
            if abs(v[j]) < V_CORE:
                x = v[j] / V_CORE  # barycentric formula, Chebyshev points of the first kind
                num0 = num1 = den = 0.0
                exact = -1
                for i in range(n):
                    if x == _CORE[i]:
                        exact = i
                        break
                    w = _CORE_W[i] / (x - _CORE[i])
                    num0 += w * core[0, i]
                    num1 += w * core[1, i]
                    den += w
                if exact >= 0:
                    psi[0, j], psi[1, j] = core[0, exact], core[1, exact]
                else:
                    psi[0, j], psi[1, j] = num0 / den, num1 / den
            else:
                psi[0, j], psi[1, j] = _smoothed(phi, dphi, v[j], b_nodes[k])
        for m in range(weights.shape[0]):
            e0 = e1 = 0.0
            for j in range(v.size):
                w = weights[m, j]
                if w != 0.0:
                    e0 += w * psi[0, j] * psi[0, j]
                    e1 += w * psi[1, j] * psi[1, j]
            out[0, k, m], out[1, k, m] = e0, e1


def _outer_rule(r_nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes v (one rule for every r) and weights (len(r_nodes), len(v)) of E[f(√r w)] = Σ_j W[r, j] f(v_j)."""
    s = 0.5 * math.sqrt(r_nodes.min())
    J = int(math.ceil(math.asinh(Z_MAX * math.sqrt(r_nodes.max()) / s) / H))
    t = H * np.arange(-J, J + 1)
    v = s * np.sinh(t)
    with np.errstate(under="ignore"):
        w = s * np.cosh(t) * np.exp(-0.5 * v**2 / r_nodes[:, None])
    w[v**2 > Z_MAX**2 * r_nodes[:, None]] = 0.0  # the rule of the other expectations: |w| ≤ Z_MAX
    return v, w / w.sum(axis=1, keepdims=True)


def build_pair_table(phi) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients (n_cells, 2, DEGREE + 1, DEGREE + 1), cell index (N_PANELS, N_PANELS)) of the pair table of
    ``phi`` (:mod:`.pair_table`); the empty table for activations with closed forms."""
    a = activation(phi)
    if a.kernel != QUADRATURE:
        return NO_PAIR_TABLE
    cells = cell_index()
    n = DEGREE + 1
    edges = np.array([panel_edges(k) for k in range(N_PANELS)])
    nodes = edges[:, :1] + (edges[:, 1:] - edges[:, :1]) * (0.5 + 0.5 * _NODES[::-1])  # (panel, node), ascending
    v, weights = _outer_rule(nodes.ravel())
    moments = np.empty((2, nodes.size, nodes.size))
    _pair_values(a.phi, a.dphi, v, weights, nodes.ravel(), moments)
    moments = moments.reshape(2, N_PANELS, n, N_PANELS, n)
    kb, kr = np.nonzero(cells >= 0)
    values = moments[:, kb, :, kr, :]  # (cell, f, b node, r node), cells in the order of cell_index
    basis = np.cos(np.pi * np.outer(np.arange(n), np.arange(n)[::-1] + 0.5) / n) * (2.0 / n)  # nodes ascending
    basis[0] *= 0.5
    coef = basis @ values @ basis.T
    return np.ascontiguousarray(coef), cells


def pair_table(phi) -> tuple[np.ndarray, np.ndarray]:
    """:func:`build_pair_table`, built once per activation object and kept while it lives."""
    a = activation(phi)
    if a not in _TABLES:
        _TABLES[a] = build_pair_table(a)
    return _TABLES[a]


@njit(cache=True, parallel=True, error_model="numpy")
def _grid_c(kernel, phi, dphi, coef, cells, sw2, sb2, q, chi1, out):
    """out[i, j] = (c*, χ_c) at every point, given q* and χ_1 there (conventions of :func:`.fixed_points.solve_point`)."""
    for j in prange(sb2.size):
        for i in range(sw2.size):
            if math.isinf(q[i, j]) or math.isnan(chi1[i, j]):
                continue  # nan, as in fixed_points.solve_point
            q_eval = 1.0 if math.isnan(q[i, j]) else q[i, j]  # homogeneous φ at its degenerate point
            out[i, j, 0], out[i, j, 1] = newton_c(kernel, phi, dphi, coef, cells, q_eval, sw2[i], sb2[j], chi1[i, j],
                                                  predict(sw2, out[:, j, 0], i))


def c_grid(phi, sigma_w2, sigma_b2, q_star, chi1, table: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """``c_star``, ``chi_c``, ``xi_c`` (shaped (n_w, n_b)) on the grid ``sigma_w2`` × ``sigma_b2`` given ``q_star`` and
    ``chi1`` there (from :func:`.qtable.q_grid`). Agrees with :func:`.fixed_points.fixed_point` to ~1e-13 plus the
    ~1e-14 error of either solver's moments propagated through the condition numbers 1/|1 − χ_c| (c*, χ_c) and
    1/|1 − χ_c|² (ξ_c) near the critical line (tests/test_meanfield_grid_c.py); ``table`` (from
    :func:`build_pair_table`) overrides the activation's cached table."""
    a = activation(phi)
    sw2 = np.ascontiguousarray(sigma_w2, dtype=float).ravel()
    sb2 = np.ascontiguousarray(sigma_b2, dtype=float).ravel()
    coef, cells = pair_table(a) if table is None else table
    out = np.full((sw2.size, sb2.size, 2), np.nan)
    _grid_c(a.kernel, a.phi, a.dphi, coef, cells, sw2, sb2, np.ascontiguousarray(q_star, dtype=float),
            np.ascontiguousarray(chi1, dtype=float), out)
    return {"c_star": out[..., 0], "chi_c": out[..., 1], "xi_c": depth_scale(out[..., 1])}
