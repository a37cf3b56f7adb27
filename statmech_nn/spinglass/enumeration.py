"""Exact enumeration of a pairwise ±1 spin glass by Gray code (N ≤ 30).

The 2^{N−1} configurations with s_{N−1} = +1 are visited in binary-reflected Gray-code order, so consecutive
states differ by one spin flip (the spin of the lowest set bit of the step number): the energy changes by
ΔE = 2 s_i h_i and the N local fields by the flipped spin's bonds. With no field, H(−s) = H(s), so each visited
state stands for itself and its global flip: every count, Z and ground-state degeneracy is doubled accordingly
(ground states are returned as the canonical representative with s_{N−1} = +1; the partner is −s).

For a list of temperatures, log Z, ⟨E⟩ and ⟨E²⟩ are accumulated exactly while enumerating by a streaming
log-sum-exp (a running maximum of −βE rescales the sums). An energy histogram (the density of states) gives any
other temperature afterwards: exactly when every energy is a multiple of the model's ``energy_unit`` (bins of one
unit centred on the multiples), to the bin width otherwise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError

from .checks import integer, temperatures as check_temperatures
from .ising_couplings import IsingCouplings, energy_from_fields, local_fields

MAX_SPINS = 30
MAX_SPINS_ALL_ENERGIES = 24


@njit(cache=True, inline="always")
def _flip(i, spins, fields, offsets, neighbours, couplings):
    """Flip spin i, update the neighbours' fields; returns ΔE."""
    de = 2.0 * spins[i] * fields[i]
    spins[i] = -spins[i]
    two_s = 2.0 * spins[i]
    for k in range(offsets[i], offsets[i + 1]):
        fields[neighbours[k]] += two_s * couplings[k]
    return de


@njit(cache=True, inline="always")
def _lowest_bit(x):
    i = 0
    while (x & 1) == 0:
        x >>= 1
        i += 1
    return i


@njit(cache=True)
def gray_enumerate(offsets, neighbours, couplings, betas, hist_low, hist_width, counts, lse, ground, ground_energy,
                   ground_tol):
    """Visit the 2^{N−1} states with s_{N−1} = +1. ``counts`` (bins,) int64 += 2 per state in its energy bin;
    ``lse`` (K, 5): per β, running [m = max of −βE, Σ w, Σ (E − E_m) w, Σ (E − E_m)² w, E_m] with
    w = e^{−βE − m} and E_m the energy where the maximum was attained (central sums keep Var E accurate at low
    T); ``ground`` (G, N) int8 receives the states within ``ground_tol`` (relative) of the lowest energy, ``ground_energy``
    (G,) their energies. Returns (number stored, truncated flag)."""
    n = offsets.size - 1
    spins = np.ones(n, np.int8)
    fields = np.empty(n)
    local_fields(offsets, neighbours, couplings, spins, fields)
    e = energy_from_fields(spins, fields)
    n_bins = counts.size
    n_stored = 0
    truncated = False
    g_min = np.inf
    total = np.int64(1) << np.int64(n - 1)
    for step in range(total):
        b = int(math.floor((e - hist_low) / hist_width))
        counts[min(max(b, 0), n_bins - 1)] += 2
        for k in range(betas.size):
            x = -betas[k] * e
            if x > lse[k, 0]:
                r = math.exp(lse[k, 0] - x)
                d = e - lse[k, 4]
                lse[k, 3] = (lse[k, 3] - 2.0 * d * lse[k, 2] + d * d * lse[k, 1]) * r
                lse[k, 2] = (lse[k, 2] - d * lse[k, 1]) * r
                lse[k, 1] = lse[k, 1] * r + 1.0
                lse[k, 0] = x
                lse[k, 4] = e
            else:
                w = math.exp(x - lse[k, 0])
                d = e - lse[k, 4]
                lse[k, 1] += w
                lse[k, 2] += d * w
                lse[k, 3] += d * d * w
        if e <= g_min + ground_tol * (1.0 + abs(g_min)):
            if e < g_min:
                g_min = e
                keep = 0
                for g in range(n_stored):
                    if ground_energy[g] <= g_min + ground_tol * (1.0 + abs(g_min)):
                        ground[keep] = ground[g]
                        ground_energy[keep] = ground_energy[g]
                        keep += 1
                n_stored = keep
            if n_stored < ground.shape[0]:
                ground[n_stored] = spins
                ground_energy[n_stored] = e
                n_stored += 1
            else:
                truncated = True
        if step + 1 < total:
            e += _flip(_lowest_bit(step + 1), spins, fields, offsets, neighbours, couplings)
    return n_stored, truncated


@njit(cache=True)
def gray_energies(offsets, neighbours, couplings, out):
    """out[x] = H(s(x)) for every x in [0, 2^N), with s_i(x) = 1 − 2·bit_i(x)."""
    n = offsets.size - 1
    spins = np.ones(n, np.int8)
    fields = np.empty(n)
    local_fields(offsets, neighbours, couplings, spins, fields)
    e = energy_from_fields(spins, fields)
    for step in range(out.size):
        out[step ^ (step >> 1)] = e
        if step + 1 < out.size:
            e += _flip(_lowest_bit(step + 1), spins, fields, offsets, neighbours, couplings)


@dataclass(frozen=True)
class Enumeration:
    """Exact results of :func:`enumerate_states`.

    ``ground_energy``: min H (recomputed directly from the first ground state). ``ground_states``: (G, N) int8,
    canonical (s_{N−1} = +1); the degeneracy including global flips is 2G (exact unless ``ground_truncated``).
    ``temperatures``, ``log_z``, ``mean_energy``, ``energy_variance``: exact (streamed) at the requested T.
    ``bin_edges`` (B+1,), ``counts`` (B,) int64 (sum 2^N): the density of states; ``exact_bins`` says whether every
    bin holds a single energy level (then :meth:`thermodynamics` is exact at any T).
    """

    n_spins: int
    ground_energy: float
    ground_states: np.ndarray
    ground_truncated: bool
    temperatures: np.ndarray
    log_z: np.ndarray
    mean_energy: np.ndarray
    energy_variance: np.ndarray
    bin_edges: np.ndarray
    counts: np.ndarray
    exact_bins: bool

    def thermodynamics(self, temperatures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(log Z, ⟨E⟩, Var E) at any temperatures from the density of states (levels at bin centres)."""
        t = check_temperatures("temperatures", temperatures)
        levels = 0.5 * (self.bin_edges[1:] + self.bin_edges[:-1])
        full = self.counts > 0
        x = -levels[full][None, :] / t[:, None] + np.log(self.counts[full])[None, :]
        m = x.max(axis=1, keepdims=True)
        w = np.exp(x - m)
        z = w.sum(axis=1)
        mean = (w * levels[full]).sum(axis=1) / z
        var = (w * (levels[full] - mean[:, None]) ** 2).sum(axis=1) / z
        return m[:, 0] + np.log(z), mean, var


def _histogram_bins(model: IsingCouplings, n_bins: int) -> tuple[float, float, int]:
    bound = model.bound()
    unit = model.energy_unit
    if unit > 0.0:
        levels = int(math.ceil(bound / unit))
        return -(levels + 0.5) * unit, unit, 2 * levels + 1
    return -bound * (1.0 + 1e-12) - 1e-300, 2.0 * bound * (1.0 + 1e-12) / n_bins + 1e-300, n_bins


def enumerate_states(model: IsingCouplings, temperatures=(1.0,), *, n_bins: int = 4096, max_ground: int = 1024,
                     ground_tol: float = 1e-9) -> Enumeration:
    """Enumerate all 2^N states of ``model`` (2 ≤ N ≤ 30). Exact log Z, ⟨E⟩, Var E at ``temperatures``; ground
    states within relative tolerance ``ground_tol`` of the minimum (at most ``max_ground`` stored); an energy
    histogram of ``n_bins`` bins over [−Σ|J|, Σ|J|] (unit bins instead when the model has an ``energy_unit``)."""
    n = integer("n_spins", model.n_spins, 2, MAX_SPINS)
    t = check_temperatures("temperatures", temperatures)
    low, width, bins = _histogram_bins(model, integer("n_bins", n_bins, 1))
    counts = np.zeros(bins, np.int64)
    lse = np.zeros((t.size, 5))
    lse[:, 0] = -np.inf
    ground = np.zeros((integer("max_ground", max_ground, 1), n), np.int8)
    ground_energy = np.zeros(max_ground)
    if not (isinstance(ground_tol, (float, int)) and 0.0 <= ground_tol < 1e-3):
        raise ParameterError("ground_tol", ground_tol, "a relative tolerance in [0, 1e-3)")
    stored, truncated = gray_enumerate(model.offsets, model.neighbours, model.couplings, 1.0 / t, low, width,
                                       counts, lse, ground, ground_energy, float(ground_tol))
    shift = lse[:, 2] / lse[:, 1]
    return Enumeration(
        n_spins=n, ground_energy=float(model.energy(ground[0])), ground_states=ground[:stored].copy(),
        ground_truncated=bool(truncated), temperatures=t, log_z=lse[:, 0] + np.log(lse[:, 1]) + math.log(2.0),
        mean_energy=lse[:, 4] + shift, energy_variance=lse[:, 3] / lse[:, 1] - shift ** 2,
        bin_edges=low + width * np.arange(bins + 1), counts=counts, exact_bins=model.energy_unit > 0.0)


def all_energies(model: IsingCouplings) -> np.ndarray:
    """H(s(x)) for all x in [0, 2^N) (N ≤ 24), with s_i(x) = 1 − 2·bit_i(x): float64 array (2^N,)."""
    n = integer("n_spins", model.n_spins, 1, MAX_SPINS_ALL_ENERGIES)
    out = np.empty(1 << n)
    gray_energies(model.offsets, model.neighbours, model.couplings, out)
    return out
