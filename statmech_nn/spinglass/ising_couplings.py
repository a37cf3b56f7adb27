"""Pairwise Ising spin glasses H(s) = −Σ_{i<j} J_ij s_i s_j, s_i = ±1, stored as a symmetric sparse matrix.

One container serves the dense Sherrington–Kirkpatrick model and the Edwards–Anderson model on any graph, so the
exact enumeration (:mod:`.enumeration`) and parallel tempering (:mod:`.tempering`) have one kernel each.
Row i of the CSR arrays lists the neighbours j of i and the *effective* coupling J_ij (prefactors such as SK's
N^{-1/2} included), each bond appearing in both rows. The local field is h_i = Σ_j J_ij s_j, so
H = −½ Σ_i s_i h_i and flipping s_i changes the energy by ΔE = 2 s_i h_i.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@njit(cache=True)
def local_fields(offsets, neighbours, couplings, spins, out):
    """out_i = Σ_j J_ij s_j for an int8 ±1 configuration ``spins``."""
    for i in range(offsets.size - 1):
        h = 0.0
        for k in range(offsets[i], offsets[i + 1]):
            h += couplings[k] * spins[neighbours[k]]
        out[i] = h


@njit(cache=True)
def energy_from_fields(spins, fields):
    """H = −½ Σ_i s_i h_i."""
    e = 0.0
    for i in range(spins.size):
        e -= spins[i] * fields[i]
    return 0.5 * e


@dataclass(frozen=True)
class IsingCouplings:
    """A pairwise ±1 spin glass in CSR form.

    ``offsets`` (N+1,) int64, ``neighbours`` (2|E|,) int64, ``couplings`` (2|E|,) float64 (effective, symmetric).
    ``energy_unit`` > 0 when every energy is an integer multiple of it (e.g. 1 for ±1 couplings): the exact
    enumeration then bins energies exactly; 0 for continuous couplings. ``name`` says which model it is.
    """

    offsets: np.ndarray
    neighbours: np.ndarray
    couplings: np.ndarray
    energy_unit: float
    name: str

    @property
    def n_spins(self) -> int:
        return self.offsets.size - 1

    def dense(self) -> np.ndarray:
        """The symmetric N×N effective coupling matrix (zero diagonal)."""
        n = self.n_spins
        w = np.zeros((n, n))
        rows = np.repeat(np.arange(n), np.diff(self.offsets))
        np.add.at(w, (rows, self.neighbours), self.couplings)
        return w

    def energy(self, spins) -> np.ndarray:
        """H(s) of one configuration (N,) or many (..., N) of ±1 values."""
        s = np.asarray(spins, dtype=np.float64)
        return -0.5 * np.einsum("...i,ij,...j->...", s, self.dense(), s)

    def bound(self) -> float:
        """Σ_{i<j} |J_ij| ≥ |H(s)| for every s."""
        return 0.5 * float(np.abs(self.couplings).sum())


def from_bonds(n: int, i, j, J, energy_unit: float, name: str) -> IsingCouplings:
    """The CSR container of N spins with bonds (i_b, j_b) of effective coupling J_b (i_b ≠ j_b, no repeats)."""
    i, j, J = (np.asarray(x) for x in (i, j, J))
    rows = np.concatenate([i, j]).astype(np.int64)
    cols = np.concatenate([j, i]).astype(np.int64)
    vals = np.concatenate([J, J]).astype(np.float64)
    order = np.lexsort((cols, rows))
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    arrays = [offsets, np.ascontiguousarray(cols[order]), np.ascontiguousarray(vals[order])]
    for a in arrays:
        a.setflags(write=False)
    return IsingCouplings(*arrays, float(energy_unit), name)
