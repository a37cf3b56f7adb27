"""Complexity measures of a trained network that have been proposed to explain generalisation (Neyshabur,
Bhojanapalli, McAllester & Srebro, NeurIPS 2017, "Exploring generalization in deep learning"; Zhang et al. 2017).

For an :class:`~statmech_nn.nets.mlp.MLP` with weights W_l and biases b_l (a bias is a weight from a constant unit):

* ℓ2 path norm  |θ|_path = (Σ_paths Π_{edges} w²)^{1/2}: the network with every parameter squared and linear units,
  evaluated on the all-ones input, summed over outputs (Neyshabur, Tomioka & Srebro, COLT 2015);
* spectral product Π_l |W_l|_2 and Frobenius product Π_l |W_l|_F (norm-based capacity; Bartlett, Foster &
  Telgarsky 2017);
* margin γ: a low quantile over the training samples of f_y(x) − max_{c≠y} f_c(x) — the norms above divided by
  γ (or γ²) are scale-free;
* sharpness: the largest Hessian eigenvalue of the training loss (Keskar et al. 2017 use a worst-case ε-ball; the
  top eigenvalue is its small-ε limit up to a factor ε²/2).
"""
from __future__ import annotations

import numpy as np

from .mlp import MLP, Objective
from .spectra import top_eigenvalue


def path_norm(net: MLP, theta: np.ndarray) -> float:
    """(Σ_paths Π w²)^{1/2}, biases counted as paths from a constant unit (module docstring)."""
    v = np.ones(net.sizes[0])
    for w, b in net.layers(theta):
        v = v @ (w * w) + b * b
    return float(np.sqrt(v.sum()))


def spectral_product(net: MLP, theta: np.ndarray) -> float:
    return float(np.prod([np.linalg.norm(w, 2) for w, _ in net.layers(theta)]))


def frobenius_product(net: MLP, theta: np.ndarray) -> float:
    return float(np.prod([np.linalg.norm(w) for w, _ in net.layers(theta)]))


def margins(net: MLP, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f_y(x) − max_{c≠y} f_c(x) per sample (negative where misclassified)."""
    f = net.forward(theta, x)
    rows = np.arange(len(y))
    correct = f[rows, y]
    f = f.copy()
    f[rows, y] = -np.inf
    return correct - f.max(axis=1)


def accuracy(net: MLP, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(net.forward(theta, x).argmax(axis=1) == y))


def sharpness(objective: Objective, theta: np.ndarray, seed, n_steps: int = 40) -> float:
    """λ_max of ∇²L at θ, by Lanczos on Hessian-vector products."""
    return top_eigenvalue(lambda v: objective.hvp(theta, v), theta.size, seed, n_steps)


def all_measures(objective: Objective, theta: np.ndarray, seed, margin_quantile: float = 0.1) -> dict[str, float]:
    """path_norm, spectral_product, frobenius_product, margin (the ``margin_quantile`` quantile of the training
    margins) and sharpness of a network trained on ``objective`` (cross-entropy, integer labels)."""
    net = objective.model
    return {"path_norm": path_norm(net, theta), "spectral_product": spectral_product(net, theta),
            "frobenius_product": frobenius_product(net, theta),
            "margin": float(np.quantile(margins(net, theta, objective.x, objective.y), margin_quantile)),
            "sharpness": sharpness(objective, theta, seed)}
