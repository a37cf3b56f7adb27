"""Losses of a network's outputs f (n samples × k outputs), averaged over the n samples, with the output-space
gradient ∂L/∂f and Hessian-vector product (∂²L/∂f²)·r that backpropagation and the R-operator need.

* ``mse``            L = (1/2n) Σ_i |f_i − y_i|²;  ∂L/∂f = (f − y)/n;  (∂²L/∂f²) r = r/n.  y: (n, k) floats.
* ``cross_entropy``  L = (1/n) Σ_i [log Σ_c e^{f_ic} − f_{i,y_i}] (softmax cross-entropy);
                     ∂L/∂f = (p − onehot(y))/n with p = softmax(f);  (∂²L/∂f²) r = (p ⊙ r − p (p·r))/n.
                     y: (n,) integer class labels.

The output-space Hessian is positive semi-definite for both, which makes the Gauss–Newton matrix
G = Jᵀ (∂²L/∂f²) J positive semi-definite (Schraudolph 2002). The weight-decay term is :class:`L2`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, softmax


class MSE:
    """Half mean squared error (module docstring)."""

    name = "mse"

    @staticmethod
    def value(f: np.ndarray, y: np.ndarray) -> float:
        return 0.5 * float(np.sum((f - y) ** 2)) / f.shape[0]

    @staticmethod
    def grad(f: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (f - y) / f.shape[0]

    @staticmethod
    def hess_vec(f: np.ndarray, y: np.ndarray, r: np.ndarray) -> np.ndarray:
        """(∂²L/∂f²) r for r of shape (..., n, k)."""
        return r / f.shape[0]


class CrossEntropy:
    """Softmax cross-entropy with integer labels (module docstring)."""

    name = "cross_entropy"

    @staticmethod
    def value(f: np.ndarray, y: np.ndarray) -> float:
        return float(np.sum(logsumexp(f, axis=1) - f[np.arange(f.shape[0]), y])) / f.shape[0]

    @staticmethod
    def grad(f: np.ndarray, y: np.ndarray) -> np.ndarray:
        g = softmax(f, axis=1)
        g[np.arange(f.shape[0]), y] -= 1.0
        return g / f.shape[0]

    @staticmethod
    def hess_vec(f: np.ndarray, y: np.ndarray, r: np.ndarray) -> np.ndarray:
        p = softmax(f, axis=1)
        return (p * r - p * np.sum(p * r, axis=-1, keepdims=True)) / f.shape[0]


LOSSES = {cls.name: cls for cls in (MSE, CrossEntropy)}


@dataclass(frozen=True)
class L2:
    """Weight decay (λ/2)|θ|²: gradient λθ, Hessian λ·1."""

    strength: float = 0.0

    def value(self, theta: np.ndarray) -> float:
        return 0.5 * self.strength * float(theta @ theta)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self.strength * theta

    def hess_vec(self, v: np.ndarray) -> np.ndarray:
        return self.strength * v
