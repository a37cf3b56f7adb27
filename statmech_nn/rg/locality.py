"""Receptive fields of stacked RBMs and how local they are (Mehta & Schwab 2014, Fig. 4).

The receptive field of a unit at depth d is the column of W1·W2···Wd (n_visible × n_d): its linear footprint on
the L×L input lattice. Locality of one field w: the largest fraction of Σ|w| inside any k×k block of the periodic
lattice,

    f_k(w) = max_{blocks B of k×k} Σ_{i∈B} |w_i| / Σ_i |w_i|,

which is ≈ k²/L² (plus fluctuations) for a field spread over the lattice and → 1 for a field confined to a block.
The *effective block size* of a field is the smallest k whose best k×k block holds half of its power Σ w_i²
(f_k computed with w² in place of |w|): an L1 penalty leaves a floor of tiny nonzero weights on every site, which
adds up in Σ|w| over L² sites but hardly in Σw². The control shuffles each field's entries over the sites (same
values, no geometry).
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence


def receptive_fields(weights: list[np.ndarray]) -> list[np.ndarray]:
    """[W1, W1·W2, W1·W2·W3, …] from the per-layer weight matrices (each n_below × n_above)."""
    if not weights:
        raise ParameterError("weights", weights, "a non-empty list of weight matrices")
    out = [np.asarray(weights[0], dtype=np.float64)]
    for W in weights[1:]:
        W = np.asarray(W, dtype=np.float64)
        if W.ndim != 2 or W.shape[0] != out[-1].shape[1]:
            raise ParameterError("weights", f"matrix of shape {W.shape}", f"{out[-1].shape[1]} rows (chained layers)")
        out.append(out[-1] @ W)
    return out


def _images(fields: np.ndarray, L: int, power: float) -> np.ndarray:
    f = np.asarray(fields, dtype=np.float64)
    if f.ndim != 2 or f.shape[0] != L * L:
        raise ParameterError("fields", f"array of shape {f.shape}", f"(L² = {L * L}, n_units)")
    return (np.abs(f) ** power).T.reshape(-1, L, L)


def block_fraction(fields: np.ndarray, L: int, k: int, power: float = 1.0) -> np.ndarray:
    """f_k of every column of ``fields`` (L², n): the best periodic k×k block's share of Σ|w|^power."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= L:
        raise ParameterError("k", k, f"an integer from 1 to L = {L}")
    a = _images(fields, L, power)
    # window sums over all k×k periodic blocks: cumulative sums of the lattice tiled to 2L
    tiled = np.concatenate([a, a[:, : k - 1]], axis=1)
    tiled = np.concatenate([tiled, tiled[:, :, : k - 1]], axis=2)
    c = np.pad(tiled.cumsum(axis=1).cumsum(axis=2), ((0, 0), (1, 0), (1, 0)))
    windows = c[:, k:, k:] - c[:, :-k, k:] - c[:, k:, :-k] + c[:, :-k, :-k]
    total = a.sum(axis=(1, 2))
    return windows.max(axis=(1, 2)) / np.where(total > 0, total, 1.0)


def effective_block_size(fields: np.ndarray, L: int, share: float = 0.5) -> np.ndarray:
    """Per column: the smallest k whose best k×k block holds ``share`` of Σ w²."""
    size = np.full(np.asarray(fields).shape[1], L)
    for k in range(L, 0, -1):
        size[block_fraction(fields, L, k, power=2.0) >= share] = k
    return size


def shuffled(fields: np.ndarray, seed) -> np.ndarray:
    """The control: each column's entries permuted over the sites independently."""
    f = np.array(fields, dtype=np.float64)
    gen = np.random.default_rng(seed_sequence(seed))
    return gen.permuted(f, axis=0)


def locality_summary(fields: np.ndarray, L: int, k: int, seed) -> dict[str, float]:
    """Mean f_k and median effective block size of the fields and of their shuffled control."""
    control = shuffled(fields, seed)
    return {"block_fraction": float(block_fraction(fields, L, k).mean()),
            "block_fraction_shuffled": float(block_fraction(control, L, k).mean()),
            "block_size": float(np.median(effective_block_size(fields, L))),
            "block_size_shuffled": float(np.median(effective_block_size(control, L)))}


def locality_by_depth(weights: list[np.ndarray], L: int, k: int, seed) -> dict[str, np.ndarray]:
    """:func:`locality_summary` of the receptive fields W1, W1·W2, … (depth d uses the stream (seed, d)), one
    entry per depth."""
    rows = [locality_summary(f, L, k, seed_sequence(seed, d)) for d, f in enumerate(receptive_fields(weights))]
    return {name: np.array([r[name] for r in rows]) for name in rows[0]}
