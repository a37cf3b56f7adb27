"""Kadanoff block spins and the lattice statistics used to compare coarse-grained ensembles.

Majority rule (Kadanoff 1966; Niemeijer & van Leeuwen 1976): the L×L lattice is cut into (L/b)² blocks of b×b
spins and each block spin is the sign of its block's sum, s'_I = sign Σ_{i∈I} s_i; for even b a tied block
(sum 0) takes ±1 with probability ½ each, so the map stays symmetric under s → -s.

Statistics of an ensemble of periodic ℓ×ℓ configurations (every configuration counts once; with independent
samples the errors are standard errors of the mean):

    e = -(1/ℓ²) Σ_i s_i (s_{i+x̂} + s_{i+ŷ}),   |m| = |Σ_i s_i| / ℓ²,
    G(r) = ⟨ (1/2ℓ²) Σ_i s_i (s_{i+r x̂} + s_{i+r ŷ}) ⟩,   r = 0 … ℓ/2   (disconnected correlation function).
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence


def _lattices(configs, name: str = "configs") -> np.ndarray:
    x = np.asarray(configs)
    if x.ndim != 3 or x.shape[1] != x.shape[2] or x.shape[0] == 0 or x.shape[1] < 1:
        raise ParameterError(name, f"array of shape {x.shape}", "a non-empty (n, L, L) array of ±1 spins")
    if not np.isin(x, (-1, 1)).all():
        raise ParameterError(name, "array with entries other than ±1", "±1 spins")
    return x


def majority_rule(configs, b: int, seed) -> np.ndarray:
    """Block spins of b×b blocks, int8 (n, L/b, L/b); ties (even b only) broken by an independent fair coin per
    block from the stream ``seed`` (int or SeedSequence)."""
    x = _lattices(configs)
    L = x.shape[1]
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1 or L % b:
        raise ParameterError("b", b, f"a positive divisor of L = {L}")
    sums = x.astype(np.int32).reshape(x.shape[0], L // b, b, L // b, b).sum(axis=(2, 4))
    coins = 2 * np.random.default_rng(seed_sequence(seed)).integers(0, 2, sums.shape, dtype=np.int8) - 1
    return np.where(sums == 0, coins, np.sign(sums)).astype(np.int8)


def energy_magnetization(configs) -> tuple[np.ndarray, np.ndarray]:
    """Per configuration: energy per spin e (J = 1) and magnetisation per spin m."""
    x = _lattices(configs).astype(np.int32)
    bonds = (x * (np.roll(x, -1, axis=1) + np.roll(x, -1, axis=2))).sum(axis=(1, 2))
    n = x.shape[1] * x.shape[2]
    return -bonds / n, x.sum(axis=(1, 2)) / n


def correlation_function(configs) -> np.ndarray:
    """Per configuration: G(r) for r = 0 … L/2, averaged over sites and the two lattice directions, (n, L/2 + 1)."""
    x = _lattices(configs).astype(np.float64)
    L = x.shape[1]
    f_rows = np.fft.rfft(x, axis=2)  # correlations along x by Wiener–Khinchin, exact for a periodic lattice
    f_cols = np.fft.rfft(x, axis=1)
    gx = np.fft.irfft(np.abs(f_rows) ** 2, n=L, axis=2).sum(axis=1)
    gy = np.fft.irfft(np.abs(f_cols) ** 2, n=L, axis=1).sum(axis=2)
    return ((gx + gy) / (2.0 * L * L))[:, : L // 2 + 1]


def lattice_statistics(configs) -> dict[str, np.ndarray]:
    """Means and standard errors over the configurations: ``energy``, ``abs_magnetization``, ``correlation``
    (each with ``*_error``; samples taken as independent)."""
    e, m = energy_magnetization(configs)
    g = correlation_function(configs)
    n = len(e)
    out = {}
    for name, values in (("energy", e), ("abs_magnetization", np.abs(m)), ("correlation", g)):
        out[name] = values.mean(axis=0)
        out[name + "_error"] = values.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full_like(out[name], np.nan)
    return out
