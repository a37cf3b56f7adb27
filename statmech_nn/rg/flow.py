"""The RBM flow v → h → v of Ising configurations and the temperatures it visits (Iso, Shiba & Yokoo 2018).

An RBM trained on equilibrium configurations across T ∈ (0, 6] is iterated, v ~ p(v | h), h ~ p(h | v); after
each iteration the ensemble's energy and correlation function G(r) are matched to the sampler's reference curves
e(T), G(r; T) on the training grid (:func:`match_energy`, :func:`match_correlation`).
"""
from __future__ import annotations

import numpy as np

from statmech_nn.rng import seed_sequence
from statmech_nn.samplers.ising_ensemble import equilibrium_configurations

from . import blockspin, stack
from .compare import pack


def temperature_grid(n: int) -> np.ndarray:
    """T_k = 6k/n, k = 1..n."""
    return 6.0 * np.arange(1, n + 1) / n


def reference_row(configs: np.ndarray) -> np.ndarray:
    """[e, |m|, G(0..L/2), σ_G(0..L/2)] of an ensemble (the row of the reference table for one temperature)."""
    st = blockspin.lattice_statistics(configs)
    return np.concatenate([[st["energy"], st["abs_magnetization"]], st["correlation"], st["correlation_error"]])


def training_set(L: int, grid: np.ndarray, samples_per_T: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """Equilibrium configurations at every grid temperature T_k (stream (seed, k)), bit-packed in grid order, and
    the reference table: one :func:`reference_row` per temperature."""
    parts, reference = [], []
    for k, T in enumerate(grid):
        configs, _ = equilibrium_configurations(L, float(T), samples_per_T, seed_sequence(seed, k))
        reference.append(reference_row(configs))
        parts.append(pack(configs))
    return np.concatenate(parts), np.array(reference)


def start_configurations(L: int, temperatures, n: int, seed) -> np.ndarray:
    """``n`` equilibrium configurations per start temperature (stream (seed, i) for the i-th), as rows of ±1.0."""
    starts = [equilibrium_configurations(L, T, n, seed_sequence(seed, i))[0] for i, T in enumerate(temperatures)]
    return np.concatenate(starts).reshape(len(starts) * n, L * L).astype(np.float64)


def match_energy(e: np.ndarray, grid: np.ndarray, ref_energy: np.ndarray) -> np.ndarray:
    """T with e_ref(T) = e by linear interpolation of the (increasing) reference curve; clipped to the grid."""
    order = np.argsort(ref_energy)
    return np.interp(e, ref_energy[order], grid[order])


def match_correlation(g: np.ndarray, grid: np.ndarray, ref: np.ndarray, ref_error: np.ndarray) -> np.ndarray:
    """Per row of g (…, n_r): the T minimising χ²(T) = Σ_{r≥1} (G(r) - G_ref(r; T))² / σ_ref(r; T)² over the
    reference curves interpolated linearly in T onto a 20× finer grid."""
    fine = np.linspace(grid[0], grid[-1], 20 * len(grid))
    ref_f = np.stack([np.interp(fine, grid, ref[:, r]) for r in range(1, ref.shape[1])], axis=1)
    var_f = np.stack([np.interp(fine, grid, ref_error[:, r] ** 2) for r in range(1, ref.shape[1])], axis=1)
    chi2 = (((g[..., None, 1:] - ref_f) ** 2) / np.maximum(var_f, 1e-12)).sum(axis=-1)
    return fine[np.argmin(chi2, axis=-1)]


def flow_statistics(configs: np.ndarray, grid: np.ndarray, reference: np.ndarray) -> dict[str, np.ndarray]:
    """Per flow (configs: (flows, samples, L, L) ±1): energy, |m| and the temperatures matched from the energy and
    from G(r) against ``reference`` (rows of :func:`reference_row` on ``grid``)."""
    n_r = configs.shape[-1] // 2 + 1
    stats = [blockspin.lattice_statistics(c) for c in configs]
    e = np.array([st["energy"] for st in stats])
    g = np.array([st["correlation"] for st in stats])
    return {"energy": e, "abs_magnetization": np.array([st["abs_magnetization"] for st in stats]),
            "T_energy": match_energy(e, grid, reference[:, 0]),
            "T_correlation": match_correlation(g, grid, reference[:, 2:2 + n_r], reference[:, 2 + n_r:])}


def flow_step(model, v: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """One iteration v → h → v of ±1 configurations (rows of v), both draws from ``gen``."""
    h = stack.draw(stack.hidden_means(model, v), gen)
    return stack.draw(stack.visible_means(model, h), gen)
