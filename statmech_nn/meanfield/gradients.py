"""Backward propagation of gradients through random networks in mean field (Schoenholz, Gilmer, Ganguli &
Sohl-Dickstein, ICLR 2017; residual networks: Yang & Schoenholz 2017). Sampled counterpart:
``statmech_nn.models.resnet.SampledNetwork.backprop``.

With δ^l = ∂E/∂(state^l) and q̃^l = |δ^l|²/N, assuming the backward weights independent of the forward ones
(exact as N → ∞ for a fresh random output gradient):

    plain    q̃^{l−1} = q̃^l σ_w² E[φ'(u)²],            u ~ N(0, q^{l−1})       (= q̃^l χ_1 at the fixed point)
    reduced  q̃^{l−1} = q̃^l (1 + σ_w² E[φ'(u)²]),      u ~ N(0, p^{l−1})
    full     q̃^{l−1} = q̃^l (1 + σ_v² σ_w² E[φ'(u)²]), u ~ N(0, q^l = σ_w² p^{l−1} + σ_b²)

so at a plain network's fixed point q̃^l ∝ χ_1^{L−l} = exp(−(L − l)/ξ_∇), ξ_∇ = −1/ln χ_1 (vanishing for χ_1 < 1,
exploding for χ_1 > 1), while residual networks only ever amplify, and polynomially once p^l grows linearly.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError

from .activations import moments1
from .maps import theory_curves
from .nngp import activation_param, check_depth, check_variances
from .residual import check_input, residual_curves


def gradient_ratio(phi, sigma_w2: float, sigma_b2: float, q0: float, depth: int, architecture: str = "plain",
                   sigma_v2: float = 1.0, sigma_a2: float = 0.0) -> np.ndarray:
    """q̃^l/q̃^depth for l = 0..depth (last entry 1), forward lengths from an input of squared length ``q0``."""
    check_variances(sigma_w2, sigma_b2)
    check_input(q0, 1.0)
    depth = check_depth(depth)
    if architecture not in ("plain", "reduced", "full"):
        raise ParameterError("architecture", architecture, "plain, reduced, full")
    if architecture == "plain":
        a = activation_param(phi)
        q, _ = theory_curves(a, sigma_w2, sigma_b2, q0, 1.0, depth)
        factors = np.array([sigma_w2 * moments1(a.kernel, a.phi, a.dphi, a.d2phi, q[l])[1] for l in range(depth)])
    else:
        curves = residual_curves(phi, sigma_w2, sigma_b2, q0, 1.0, depth, architecture, sigma_v2, sigma_a2)
        gain = sigma_w2 * (sigma_v2 if architecture == "full" else 1.0)
        factors = 1.0 + gain * curves.dphi2[1:]
    # factors[l] multiplies q̃^{l+1} into q̃^l
    return np.append(np.cumprod(factors[::-1])[::-1], 1.0)
