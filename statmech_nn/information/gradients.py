"""Per-layer moments of per-sample gradients: the drift and diffusion phases of training (Shwartz-Ziv & Tishby,
arXiv:1703.00810, Fig. 4).

For the loss L = (1/n) Σ_i ℓ_i and layer l's parameters (W_l, b_l), the per-sample gradients are
∂ℓ_i/∂W_l = h_{l−1,i} δ_{l,i}ᵀ and ∂ℓ_i/∂b_l = δ_{l,i} with the back-propagated δ of sample i, so their mean and
elementwise second moment over the samples are two matrix products, (1/n) Hᵀ Δ and (1/n) (H⊙H)ᵀ (Δ⊙Δ), without
ever forming n gradients. A minibatch of B samples drawn without replacement has gradient noise ≈ std/√B, so
the signal-to-noise ratio of a minibatch step is ≈ √B |mean| / std: high in the drift phase, O(1) or below in
the diffusion phase.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.nets.activations import ACTIVATIONS
from statmech_nn.nets.losses import LOSSES


def gradient_moments(objective, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(|E_i g_{l,i}|, √(Σ Var_i g_{l,i})) for every weight layer l (float64 (L,) each): the norm of the mean
    per-sample gradient of layer l's weights and biases, and the root of the summed per-parameter variances
    over the ``objective``'s samples (its weight decay excluded)."""
    model, x, y = objective.model, objective.x, objective.y
    n = len(x)
    pre, inputs = model._forward(theta, x)
    delta = LOSSES[objective.loss].grad(pre[-1], y) * n  # per-sample ∂ℓ_i/∂f
    dphi = ACTIVATIONS[model.activation].dphi
    layers = model.layers(theta)
    mean_norm, std_norm = np.empty(model.depth), np.empty(model.depth)
    for l in range(model.depth - 1, -1, -1):
        h = inputs[l]
        mean = np.concatenate([(h.T @ delta).ravel(), delta.sum(axis=0)]) / n
        square = np.concatenate([((h * h).T @ (delta * delta)).ravel(), (delta * delta).sum(axis=0)]) / n
        mean_norm[l] = np.linalg.norm(mean)
        std_norm[l] = np.sqrt(max(float(np.sum(square - mean * mean)), 0.0))
        if l > 0:
            delta = (delta @ layers[l][0].T) * dphi(pre[l - 1])
    return mean_norm, std_norm
