"""Periodic square-lattice Ising model, H = -J Σ_i s_i (s_{i+x̂} + s_{i+ŷ}) - h Σ_i s_i.

The bonds are (i, i+x̂) and (i, i+ŷ) for every site, with periodic indices; on a 2×2 lattice the same
pair of sites therefore carries two bonds, and both count in the energy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

#: Onsager's critical temperature of the J = 1 square lattice, T_c = 2 / ln(1 + √2).
T_CRITICAL = 2.0 / math.log(1.0 + math.sqrt(2.0))


@njit(cache=True)
def energy_magnetization(spins, J, h):
    """Energy and magnetisation per spin, ``(E / N, M / N)``, of an int8 ±1 array ``spins`` of shape (L, L)."""
    rows, cols = spins.shape
    bond_sum = 0
    mag = 0
    for r in range(rows):
        down = r + 1 if r + 1 < rows else 0
        for c in range(cols):
            right = c + 1 if c + 1 < cols else 0
            s = np.int64(spins[r, c])
            bond_sum += s * (np.int64(spins[r, right]) + np.int64(spins[down, c]))
            mag += s
    n = rows * cols
    return (-J * bond_sum - h * mag) / n, mag / n


@dataclass(frozen=True)
class ExactEnsemble:
    """The canonical distribution of a small lattice by enumeration of all 2^(L²) states.

    ``energy`` and ``magnetization`` (per spin) and the Boltzmann ``weight`` are arrays over the distinct
    (E, M) pairs, so the moment of any function of (e, m) is a weighted sum.
    """

    L: int
    beta: float
    energy: np.ndarray
    magnetization: np.ndarray
    weight: np.ndarray

    def expect(self, f) -> float:
        """⟨f(e, m)⟩ in the canonical ensemble."""
        return float(np.sum(self.weight * f(self.energy, self.magnetization)))

    def energy_distribution(self):
        """(levels, probabilities) of the energy per spin."""
        levels, inverse = np.unique(np.round(self.energy, 12), return_inverse=True)
        return levels, np.bincount(inverse, weights=self.weight)


def exact_ensemble(L: int, T: float, J: float = 1.0, h: float = 0.0) -> ExactEnsemble:
    """Enumerate the 2^(L²) configurations (L ≤ 5) and return their canonical (e, m) distribution."""
    n = L * L
    if n > 25:
        raise ValueError(f"exact enumeration needs L <= 5, got L={L}")
    codes = np.arange(2**n, dtype=np.int64)
    spins = (1 - 2 * ((codes[:, None] >> np.arange(n)) & 1)).astype(np.int64).reshape(-1, L, L)
    bonds = (spins * (np.roll(spins, -1, axis=2) + np.roll(spins, -1, axis=1))).sum(axis=(1, 2))
    total = spins.sum(axis=(1, 2))
    pairs, counts = np.unique(np.stack([bonds, total], axis=1), axis=0, return_counts=True)
    e = (-J * pairs[:, 0] - h * pairs[:, 1]) / n
    m = pairs[:, 1] / n
    log_w = np.log(counts) - n * e / T
    w = np.exp(log_w - log_w.max())
    return ExactEnsemble(L, 1.0 / T, e, m, w / w.sum())
