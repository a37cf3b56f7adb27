"""Chebyshev tables of the one-point moments (E[φ²], E[φ'²], E[φ''²], dV/dq at √q z) and their evaluation.

The table (built by :func:`.qtable.moment_table`) holds degree-:data:`DEGREE` coefficients on every octave of q in
[2^K_LO, 2^K_HI); :func:`table_moments` evaluates it by Clenshaw's recurrence and falls back to the exact quadrature
(:func:`.activations.moments1`) outside it, or everywhere for an empty table — which is how the per-point solver
in :mod:`.fixed_points` uses the same Newton iteration as the grid solver.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .activations import moments1

DEGREE = 24           # Chebyshev degree per octave
K_LO, K_HI = -40, 56  # tabulated q ∈ [2^K_LO, 2^K_HI); Q_MAX = 1e16 < 2^54
#: The empty table: exact moments everywhere.
NO_TABLE = np.zeros((0, 4, DEGREE + 1))


@njit(cache=True)
def table_moments(kernel, phi, dphi, d2phi, coef, q):
    """moments1 at q: from the table where it covers q, else exact."""
    if coef.shape[0] == 0 or not q >= math.ldexp(1.0, K_LO) or q >= math.ldexp(1.0, K_HI):
        return moments1(kernel, phi, dphi, d2phi, q)
    mant, e = math.frexp(q)  # q = mant 2^e, mant ∈ [0.5, 1): octave [2^(e−1), 2^e)
    t = 4.0 * mant - 3.0
    c = coef[e - 1 - K_LO]
    out = np.empty(4)
    for f in range(4):  # Clenshaw
        b1 = b2 = 0.0
        for j in range(DEGREE, 0, -1):
            b1, b2 = 2.0 * t * b1 - b2 + c[f, j], b1
        out[f] = t * b1 - b2 + c[f, 0]
    return out[0], out[1], out[2], out[3]
