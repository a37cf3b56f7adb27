"""End-of-run comparisons of an RBM stack with Kadanoff block spins (Mehta & Schwab 2014), and their controls.

* :func:`pack` / :func:`unpack` — ±1 lattices stored as bits (8× smaller than int8);
* :func:`block_sizes` — the majority-rule block b = L/√n_d matching a hidden layer of n_d units;
* :func:`coarse_statistics` — e, |m|, G(r) of the data, of the block spins and of the reconstructions per depth;
* :func:`quenched_statistics` — the same for a few Metropolis sweeps from random starts (the control that
  published reproductions mistook for equilibrium data).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.rng import seed_sequence
from statmech_nn.samplers.ising_ensemble import quenched_configurations

from . import blockspin, stack


def pack(configs: np.ndarray) -> np.ndarray:
    """±1 configurations (n, L, L) → bits (n, ⌈L²/8⌉) uint8 (+1 ↦ 1, row-major sites)."""
    return np.packbits(np.asarray(configs).reshape(len(configs), -1) > 0, axis=1)


def unpack(bits: np.ndarray, L: int) -> np.ndarray:
    """Inverse of :func:`pack`: int8 (n, L, L) of ±1."""
    b = np.unpackbits(np.asarray(bits, np.uint8), axis=1, count=L * L)
    return (2 * b.astype(np.int8) - 1).reshape(-1, L, L)


def valid_layer_sizes(sizes, L: int) -> bool:
    """At least two layers, the first L², strictly decreasing and positive."""
    sizes = list(sizes)
    return len(sizes) >= 2 and sizes[0] == L * L and all(0 < b < a for a, b in zip(sizes, sizes[1:]))


def block_sizes(L: int, sizes) -> list[int]:
    """Majority-rule block size matching each hidden layer (L / √n_d), 0 where n_d is not a square dividing L²."""
    out = []
    for n in list(sizes)[1:]:
        side = math.isqrt(n)
        out.append(L // side if side * side == n and L % side == 0 else 0)
    return out


def coarse_statistics(models, configs: np.ndarray, blocks: list[int], seed) -> dict[str, np.ndarray]:
    """Energy, |m| and G(r) of the data, of the majority-rule block spins matching each depth (b = L/√n_d; nan if
    none) and of the RBM reconstructions from each depth (streams (seed, 0, d)); block-spin tie breaks use
    (seed, 1, d). Also 8 example reconstructions per depth and 8 data configurations."""
    L = configs.shape[1]
    flat = configs.reshape(len(configs), -1).astype(np.float64)
    out = {"data_" + k: v for k, v in blockspin.lattice_statistics(configs).items()}
    n_r = L // 2 + 1
    for prefix in ("blockspin_", "reconstruction_"):
        for k in ("energy", "abs_magnetization", "correlation"):
            shape = (len(models), n_r) if k == "correlation" else (len(models),)
            out[prefix + k] = np.full(shape, np.nan)
            out[prefix + k + "_error"] = np.full(shape, np.nan)
    examples = np.empty((len(models), 8, L, L), np.int8)
    for d in range(len(models)):
        recon = stack.reconstruct(models[: d + 1], flat, seed_sequence(seed, 0, d)).reshape(-1, L, L).astype(np.int8)
        examples[d] = recon[:8]
        stats = {"reconstruction_": blockspin.lattice_statistics(recon)}
        if blocks[d] and L // blocks[d] >= 2:
            stats["blockspin_"] = blockspin.lattice_statistics(
                blockspin.majority_rule(configs, blocks[d], seed_sequence(seed, 1, d)))
        for prefix, st in stats.items():
            for k, v in st.items():
                if k.startswith("correlation"):
                    out[prefix + k][d, : len(v)] = v
                else:
                    out[prefix + k][d] = v
    out["reconstruction_examples"] = examples
    out["data_examples"] = configs[:8]
    return out


def quenched_statistics(L: int, T: float, n_samples: int, sweeps: int, seed) -> dict[str, np.ndarray]:
    """e, |m| (with standard errors) of ``n_samples`` configurations after ``sweeps`` Metropolis sweeps from random
    starts, keys prefixed ``quenched_``, plus ``quenched_samples`` and ``quenched_sweeps``."""
    quenched = quenched_configurations(L, T, n_samples, sweeps, seed, algorithm="metropolis")
    out = {"quenched_samples": np.int64(n_samples), "quenched_sweeps": np.int64(sweeps)}
    for name, value in blockspin.lattice_statistics(quenched).items():
        if not name.startswith("correlation"):
            out["quenched_" + name] = np.float64(value)
    return out
