"""Empirical kernels of wide sampled networks: the Monte-Carlo counterpart of :mod:`statmech_nn.meanfield.nngp`.

Network k is z^0 = W^0 x + b^0, z^l = W^l φ(z^{l−1}) + b^l (width N, W^0_ij ~ N(0, σ_w²/d), W^l_ij ~ N(0, σ_w²/N),
b ~ N(0, σ_b²)). Layer l of network k draws from ``deepnet.stream(seed, k, l)``: W^0 as N×d standard normals then
the biases, W^l (l ≥ 1) by ``deepnet.draw_layer`` — so layers l ≥ 1 are the very layers of
:mod:`statmech_nn.models.deepnet` with the same seed. Products use deepnet's fixed-order Numba loop.

The estimator of K^l for l ≥ 1 is the conditional covariance given the previous layer,

    K̂^l = σ_w² φ(z^{l−1}) φ(z^{l−1})ᵀ / N + σ_b²,          E[K̂^l] = K^l + O(1/N),

which has a smaller variance than z^l z^lᵀ/N (the Gaussian sampling of layer l integrated out); K̂^0 = K^0 exactly.
"""
from __future__ import annotations

import math

import numpy as np

from numba import njit

from statmech_nn.meanfield.nngp import activation_param, check_depth, check_inputs, check_variances

from . import deepnet


@njit(cache=True, nogil=True)
def _affine(w, scale, bias, x):
    """scale · w @ xᵀ + bias (w: (N, d), x: (n, d)) → (N, n), summed in a fixed order."""
    out = np.empty((w.shape[0], x.shape[0]))
    for i in range(w.shape[0]):
        for a in range(x.shape[0]):
            s = 0.0
            for j in range(w.shape[1]):
                s += w[i, j] * x[a, j]
            out[i, a] = scale * s + bias[i]
    return out


def first_layer(rng: np.random.Generator, x: np.ndarray, width: int, sigma_w2: float, sigma_b2: float) -> np.ndarray:
    """z^0 (width, n) = W^0 xᵀ + b^0 for inputs x (n, d)."""
    w = rng.standard_normal((width, x.shape[1]))
    bias = math.sqrt(sigma_b2) * rng.standard_normal(width)
    return _affine(w, math.sqrt(sigma_w2 / x.shape[1]), bias, x)


def empirical_kernels(x, phi, sigma_w2: float, sigma_b2: float, depth: int, width: int, networks: int,
                      seed) -> np.ndarray:
    """K̂^l for l = 0..depth of each network: shape (networks, depth + 1, n, n)."""
    check_variances(sigma_w2, sigma_b2)
    depth = check_depth(depth)
    for name, value in (("width", width), ("networks", networks)):
        check_depth(value, name)
    a, x = activation_param(phi), check_inputs(x, "x")
    n, d = x.shape
    out = np.empty((networks, depth + 1, n, n))
    for k in range(networks):
        out[k, 0] = sigma_w2 * (x @ x.T) / d + sigma_b2
        z = first_layer(deepnet.stream(seed, k, 0), x, width, sigma_w2, sigma_b2)
        for layer in range(1, depth + 1):
            post = deepnet.activate(a.phi, z)
            out[k, layer] = sigma_w2 * (post.T @ post) / width + sigma_b2
            if layer < depth:
                lw = deepnet.draw_layer(deepnet.stream(seed, k, layer), width, sigma_b2, "gaussian")
                z = deepnet._gaussian_layer(a.phi, lw.gauss, math.sqrt(sigma_w2 / width), lw.bias, z)
    return out
