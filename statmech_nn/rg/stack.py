"""Stacked RBMs trained layer by layer (Hinton, Osindero & Teh 2006), as in Mehta & Schwab's RG experiment.

Layer d is a ±1 RBM (:mod:`statmech_nn.models.rbm`) trained with :func:`statmech_nn.rbm.train.train` (CD-k
with an L1 penalty λ₁ sign W, which favours sparse, local receptive fields) on the hidden configurations of layer
d-1 driven by the data: h ~ p(h | v) with P(h_j = +1 | v) = σ(2 x_j), x = b + vᵀW (:func:`propagate_up`).
Going down, v ~ p(v | h) with P(v_i = +1 | h) = σ(2 (a + W h)_i); a reconstruction from depth d goes up d layers
and down again (:func:`reconstruct`). Every draw comes from a numpy generator keyed by the caller's seed, so
results do not depend on threads or on how a run was split.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.models.rbm import RBM
from statmech_nn.rbm.train import train_settings
from statmech_nn.rng import seed_sequence


def layer_settings(n_hidden: int, *, learning_rate: float, l1: float, batch_size: int, momentum: float = 0.5,
                   k: int = 1):
    """Training settings of one layer: ±1 units, CD-k, momentum, L1 penalty."""
    return train_settings(n_hidden=n_hidden, units="spin", method="cd", k=k, batch_size=batch_size,
                          learning_rate=learning_rate, momentum=momentum, l1=l1)


def hidden_means(model: RBM, v: np.ndarray) -> np.ndarray:
    """E[h | v] = tanh(b + vᵀW) for ±1 units, rows of v."""
    return np.tanh(v @ model.weights + model.hidden_bias)


def visible_means(model: RBM, h: np.ndarray) -> np.ndarray:
    """E[v | h] = tanh(a + W h)."""
    return np.tanh(h @ model.weights.T + model.visible_bias)


def draw(mean: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """±1 with P(+1) = (1 + mean)/2, i.e. σ(2x) for mean = tanh x."""
    return np.where(gen.random(mean.shape) < 0.5 * (1.0 + mean), 1.0, -1.0)


def propagate_up(models: list[RBM], data: np.ndarray, seed) -> np.ndarray:
    """Hidden configurations of the last of ``models`` (bottom first) drawn layer by layer from ``data``;
    layer d draws from the stream (seed, d)."""
    x = np.asarray(data, dtype=np.float64)
    for d, model in enumerate(models):
        x = draw(hidden_means(model, x), np.random.default_rng(seed_sequence(seed, d)))
    return x


def reconstruct(models: list[RBM], data: np.ndarray, seed) -> np.ndarray:
    """Visible configurations after going up through all ``models`` and back down, drawing at every layer
    (streams (seed, 0, d) up and (seed, 1, d) down)."""
    top = propagate_up(models, data, seed_sequence(seed, 0))
    x = top
    for d in range(len(models) - 1, -1, -1):
        x = draw(visible_means(models[d], x), np.random.default_rng(seed_sequence(seed, 1, d)))
    return x


def reconstruction_error(model: RBM, v: np.ndarray) -> float:
    """Mean-field reconstruction error ⟨(v - E[v | E[h | v]])²⟩ / 4 per unit, in [0, 1]."""
    v = np.asarray(v, dtype=np.float64)
    return float(np.mean((v - visible_means(model, hidden_means(model, v))) ** 2) / 4.0)
