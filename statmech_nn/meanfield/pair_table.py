"""Chebyshev tables of the pair moments E[φ(u1) φ(u2)], E[φ'(u1) φ'(u2)] and their evaluation.

The pair (u1, u2) has variances q and correlation c ∈ [0, 1]. It is tabulated in the variables

    r = q c  (the shared variance),   b = q (1 − c)  (the variance of each input's own part),

because u_i = √r w + √b ε_i with w, ε_1, ε_2 independent standard normals, so with ψ_b(v) = E[φ(v + √b ε)]

    E[φ(u1) φ(u2)] = E_w[ψ_b(√r w)²],   E[φ'(u1) φ'(u2)] = E_w[ψ'_b(√r w)²]                 (1)

(:mod:`.ctable` builds the table from (1)). Seen as a function of (r, b) a pair moment is analytic for
Re b > 0 and Re(2r + b) > 0 (the variances q(1 ± c) of (u1 ± u2)/√2), with two singular lines: b = 0 (c = 1),
where the moments are infinitely differentiable but not analytic (φ's strip of analyticity fixes the absolute
scale, b ≈ 1), and 2r + b = 0. Each variable is therefore split into panels graded geometrically towards 0 —
[0, P0], then [P0 2^(k−1), P0 2^k] for k = 1 … ``N_PANELS`` − 1 — and every cell (b panel) × (r panel) holds a
tensor Chebyshev interpolant of degree ``DEGREE``. On an octave the nearest singularity lies at Bernstein parameter
≥ 3 + √8, and on [0, P0] the b = 0 singularity contributes ~exp(−π²/(4 P0)) (Gevrey-1 in b), so the table is as
accurate as the quadrature behind it (relative differences from :func:`.activations.moments2` ~1e-14, at most
~1e-13 at q ~ 100; tests/test_meanfield_grid_c.py). Cells with r_lo + b_lo > ``Q_CEIL`` and the corner cell (both
panels [0, P0], where the two singular lines meet) are absent: there (q > Q_CEIL, or q < 2 P0), and for an empty
table, :func:`table_pair` evaluates the moments exactly.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .activations import moments2

DEGREE = 20             # Chebyshev degree per panel in r and in b
P0 = 2.0**-8            # first panel [0, P0]
N_PANELS = 16           # panels 0 … 15: the last ends at P0 2^15 = 2^7
Q_CEIL = P0 * 2.0 ** (N_PANELS - 1)  # tabulated: q = r + b ≤ Q_CEIL
#: The empty table (coefficients, cell index): exact moments everywhere.
NO_PAIR_TABLE = (np.zeros((0, 2, DEGREE + 1, DEGREE + 1)), np.full((N_PANELS, N_PANELS), -1, dtype=np.int64))


@njit(cache=True)
def panel_of(x):
    """(panel index, position t ∈ [−1, 1] in it) of x ≥ 0; index N_PANELS if x is beyond the last panel."""
    if x < P0:
        return 0, 2.0 * x / P0 - 1.0
    mant, e = math.frexp(x / P0)  # x/P0 ∈ [2^(e−1), 2^e): panel e
    if e >= N_PANELS:
        return N_PANELS, 0.0
    return e, 4.0 * mant - 3.0


def panel_edges(k: int) -> tuple[float, float]:
    """[lo, hi] of panel k."""
    return (0.0, P0) if k == 0 else (P0 * 2.0 ** (k - 1), P0 * 2.0**k)


def cell_index() -> np.ndarray:
    """(N_PANELS, N_PANELS) int array: the cell number of (b panel, r panel), −1 where the table has no cell."""
    cells = np.full((N_PANELS, N_PANELS), -1, dtype=np.int64)
    n = 0
    for kb in range(N_PANELS):
        for kr in range(N_PANELS):
            if (kb or kr) and panel_edges(kb)[0] + panel_edges(kr)[0] <= Q_CEIL:
                cells[kb, kr] = n
                n += 1
    return cells


@njit(cache=True)
def _clenshaw2(c, tb, tr):
    """Σ_ij c[i, j] T_i(tb) T_j(tr)."""
    n = c.shape[0]
    a1 = a2 = 0.0
    for i in range(n - 1, -1, -1):
        b1 = b2 = 0.0
        for j in range(n - 1, 0, -1):
            b1, b2 = 2.0 * tr * b1 - b2 + c[i, j], b1
        g = tr * b1 - b2 + c[i, 0]
        if i > 0:
            a1, a2 = 2.0 * tb * a1 - a2 + g, a1
        else:
            return tb * a1 - a2 + g
    return 0.0


@njit(cache=True, error_model="numpy")
def table_pair(kernel, phi, dphi, coef, cells, q, c):
    """moments2 (E[φ(u1) φ(u2)], E[φ'(u1) φ'(u2)]) at (q, c): from the table where it has a cell, else exact."""
    if coef.shape[0] > 0 and 0.0 <= c <= 1.0 and q > 0.0:
        r = q * c
        kb, tb = panel_of(q * (1.0 - c))
        kr, tr = panel_of(r)
        if kb < N_PANELS and kr < N_PANELS:
            cell = cells[kb, kr]
            if cell >= 0:
                return _clenshaw2(coef[cell, 0], tb, tr), _clenshaw2(coef[cell, 1], tb, tr)
    return moments2(kernel, phi, dphi, q, c)
