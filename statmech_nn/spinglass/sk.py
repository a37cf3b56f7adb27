"""The Sherrington–Kirkpatrick model (Sherrington & Kirkpatrick 1975),

    H(s) = −N^{−1/2} Σ_{i<j} J_ij s_i s_j,   J_ij ~ N(0, 1) i.i.d.,

whose ground-state energy per spin tends to −0.7632 (Parisi). A user's couplings are an N×N array whose upper
triangle (i < j) holds the unit-variance J_ij; the N^{−1/2} is applied here. Accepted: upper-triangle-only
(strictly lower triangle all zero) or symmetric; rejected: non-square, NaN/inf, a nonzero diagonal, or a lower
triangle that is neither zero nor the transpose of the upper one.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from .checks import integer
from .ising_couplings import IsingCouplings, from_bonds

#: Stream key (after the seed) of SK couplings.
SK_COUPLINGS_KEY = 0


def sk_from_matrix(couplings) -> IsingCouplings:
    """The SK model with the unit-variance couplings J_ij (i < j) of an N×N array (see the module docstring)."""
    try:
        J = np.array(couplings, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError("couplings", couplings, "an N×N array of real numbers") from None
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] < 2:
        raise ParameterError("couplings", J.shape, "a square N×N array with N >= 2")
    if not np.all(np.isfinite(J)):
        raise ParameterError("couplings", "array with NaN or inf", "finite couplings")
    if np.any(np.diag(J) != 0.0):
        raise ParameterError("couplings", "nonzero diagonal", "a zero diagonal (no self-couplings)")
    n = J.shape[0]
    i, j = np.triu_indices(n, 1)
    lower = J.T[i, j]
    if np.any(lower != 0.0) and not np.array_equal(lower, J[i, j]):
        raise ParameterError("couplings", "lower triangle differs from the upper one",
                             "upper-triangle-only (zero lower triangle) or a symmetric matrix")
    scale = 1.0 / np.sqrt(n)
    integral = bool(np.all(J[i, j] == np.round(J[i, j])))
    return from_bonds(n, i, j, scale * J[i, j], scale if integral else 0.0, "sk")


def sk_model(n_spins: int, seed) -> IsingCouplings:
    """An SK sample of N spins with Gaussian couplings drawn from stream (seed, SK_COUPLINGS_KEY)."""
    n = integer("n_spins", n_spins, 2)
    rng = np.random.default_rng(seed_sequence(seed, SK_COUPLINGS_KEY))
    J = np.zeros((n, n))
    i, j = np.triu_indices(n, 1)
    J[i, j] = rng.standard_normal(i.size)
    return sk_from_matrix(J)
