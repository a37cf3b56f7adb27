"""Mean-field theory of residual random networks (Yang & Schoenholz, "Mean field residual networks: on the edge of
chaos", NIPS 2017). Architectures and sampled networks: :mod:`statmech_nn.models.resnet`.

With p^l = |x^l|²/N, γ^l = x_a^l·x_b^l/N and c^l = γ^l/p^l for two inputs of equal length, the cross terms
x^{l−1}·(W φ + b) average to zero (W, b independent of x^{l−1}, zero mean), so as N → ∞

    reduced  p^l = p^{l−1} + σ_w² E[φ(u)²] + σ_b²,              u ~ N(0, p^{l−1})
             γ^l = γ^{l−1} + σ_w² E[φ(u_a) φ(u_b)] + σ_b²,      (u_a, u_b): variances p^{l−1}, correlation c^{l−1}
    full     q^l = σ_w² p^{l−1} + σ_b²,  λ^l = σ_w² γ^{l−1} + σ_b²    (the hidden pre-activations h^l)
             p^l = p^{l−1} + σ_v² E[φ(u)²] + σ_a²,              u ~ N(0, q^l)
             γ^l = γ^{l−1} + σ_v² E[φ(u_a) φ(u_b)] + σ_a²,      variances q^l, correlation λ^l/q^l

Every increment is ≥ 0, so p^l never converges: no fixed point and no edge of chaos in Poole's sense. Depth
dependences become polynomial. For a bounded odd φ with φ(±∞) = ±1 (tanh, erf) in the reduced network,
p^l ≈ (σ_w² + σ_b²) l and E[φ(u_a)φ(u_b)] → (2/π) arcsin c, so with A = σ_w² + σ_b²

    l dc/dl = f(c)/A,   f(c) = σ_w² ((2/π) arcsin c − c) + σ_b² (1 − c):

c^l → c_∞, the root of f in [0, 1) (c_∞ = 0 at σ_b² = 0), as a power law |c^l − c_∞| ∝ l^{−κ},
κ = −f'(c_∞)/A = [σ_b² + σ_w² (1 − (2/π)/√(1 − c_∞²))]/A — at σ_b² = 0, κ = 1 − 2/π ≈ 0.363 for every σ_w²
(:func:`sign_limit`; derived here from the recursion above, corrections O(l^{−1/2}) from E[φ²] = 1 − O(p^{−1/2})).

ReLU (reduced, σ_b² = 0): p^l = (1 + σ_w²/2)^l p^0 grows exponentially, and with the arc-cosine map
f(1 − ε) = 1 − ε + (2√2/(3π)) ε^{3/2} + O(ε²) the correlation obeys c^l = (c + (σ_w²/2) f(c))/(1 + σ_w²/2), so
ε = 1 − c^l → 0 polynomially: dε/dl = −a ε^{3/2}, i.e.

    (1 − c^l)^{−1/2} = (a/2) l + O(log l),   1 − c^l ≈ 4/(a² l²),   a = (2√2/(3π)) (σ_w²/2)/(1 + σ_w²/2)

(:func:`relu_correlation_rate` returns a/2; derived here, checked against the recursion in the tests).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.optimize import brentq

from statmech_nn.errors import ParameterError

from .activations import moments1, moments2
from .nngp import activation_param, check_depth, check_variances

RESIDUAL = ("reduced", "full")


@njit(cache=True, error_model="numpy")
def _residual(kernel, phi, dphi, d2phi, full, sw2, sb2, sv2, sa2, p0, c0, depth):
    p, c, q, dphi2 = np.empty(depth + 1), np.empty(depth + 1), np.empty(depth + 1), np.empty(depth + 1)
    p[0], c[0], q[0], dphi2[0] = p0, c0, np.nan, np.nan
    for l in range(1, depth + 1):
        gamma = c[l - 1] * p[l - 1]
        if full:
            q[l] = sw2 * p[l - 1] + sb2
            lam = sw2 * gamma + sb2
            m = moments1(kernel, phi, dphi, d2phi, q[l])
            e = moments2(kernel, phi, dphi, q[l], lam / q[l])[0]
            p[l] = p[l - 1] + sv2 * m[0] + sa2
            gamma += sv2 * e + sa2
        else:
            q[l] = p[l - 1]
            m = moments1(kernel, phi, dphi, d2phi, p[l - 1])
            e = moments2(kernel, phi, dphi, p[l - 1], c[l - 1])[0]
            p[l] = p[l - 1] + sw2 * m[0] + sb2
            gamma += sw2 * e + sb2
        dphi2[l] = m[1]
        c[l] = gamma / p[l]
    return p, c, q, dphi2


@dataclass(frozen=True)
class ResidualCurves:
    """p^l, c^l (l = 0..depth) of the residual stream; q^l: the variance at which φ is evaluated in layer l (full:
    the hidden h^l, reduced: p^{l−1}); dphi2^l = E[φ'(√q^l z)²] (entries 0 of q, dphi2 are nan)."""

    p: np.ndarray
    c: np.ndarray
    q: np.ndarray
    dphi2: np.ndarray


def check_residual(architecture: str, sigma_v2: float, sigma_a2: float) -> bool:
    if architecture not in RESIDUAL:
        raise ParameterError("architecture", architecture, ", ".join(RESIDUAL))
    if not (math.isfinite(sigma_v2) and sigma_v2 > 0):
        raise ParameterError("sigma_v2", sigma_v2, "a finite number > 0")
    if not (math.isfinite(sigma_a2) and sigma_a2 >= 0):
        raise ParameterError("sigma_a2", sigma_a2, "a finite number >= 0")
    return architecture == "full"


def check_input(p0: float, c0: float) -> None:
    if not (math.isfinite(p0) and p0 > 0):
        raise ParameterError("q0", p0, "a finite number > 0")
    if not -1 <= c0 <= 1:
        raise ParameterError("c0", c0, "a number in [-1, 1]")


def residual_curves(phi, sigma_w2: float, sigma_b2: float, p0: float, c0: float, depth: int,
                    architecture: str = "reduced", sigma_v2: float = 1.0, sigma_a2: float = 0.0) -> ResidualCurves:
    """The recursions of the module docstring from inputs with p^0 = ``p0`` and correlation c^0 = ``c0``."""
    check_variances(sigma_w2, sigma_b2)
    full = check_residual(architecture, sigma_v2, sigma_a2)
    check_input(p0, c0)
    a = activation_param(phi)
    return ResidualCurves(*_residual(a.kernel, a.phi, a.dphi, a.d2phi, full, float(sigma_w2), float(sigma_b2),
                                     float(sigma_v2), float(sigma_a2), float(p0), float(c0), check_depth(depth)))


def sign_limit(sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    """(c_∞, κ) of the reduced residual network with a bounded odd φ → ±1 (tanh, erf): module docstring."""
    check_variances(sigma_w2, sigma_b2)

    def f(c):
        return sigma_w2 * (2 / math.pi * math.asin(c) - c) + sigma_b2 * (1 - c)

    c_inf = 0.0 if sigma_b2 == 0 else brentq(f, 0.0, 1.0 - 1e-15, xtol=1e-15)
    kappa = (sigma_b2 + sigma_w2 * (1 - 2 / math.pi / math.sqrt(1 - c_inf**2))) / (sigma_w2 + sigma_b2)
    return c_inf, kappa


def relu_correlation_rate(sigma_w2: float) -> float:
    """a/2: the slope of (1 − c^l)^{−1/2} against l in the reduced ReLU residual network at σ_b² = 0."""
    check_variances(sigma_w2, 0.0)
    return math.sqrt(2.0) / (3.0 * math.pi) * (sigma_w2 / 2) / (1 + sigma_w2 / 2)


def residual_phase_data(phi, sigma_w2s, sigma_b2s, depth: int, p0: float = 1.0, c0: float = 0.5,
                        architecture: str = "reduced", sigma_v2: float = 1.0, sigma_a2: float = 0.0) -> dict:
    """p^depth, c^depth and the gradient ratio |δ^0|²/|δ^depth|² (:mod:`.gradients`) on a σ_w² × σ_b² grid."""
    from .gradients import gradient_ratio

    sw, sb = np.asarray(sigma_w2s, dtype=float), np.asarray(sigma_b2s, dtype=float)
    out = {k: np.empty((sw.size, sb.size)) for k in ("p", "c", "grad_ratio")}
    for i, w in enumerate(sw):
        for j, b in enumerate(sb):
            curves = residual_curves(phi, w, b, p0, c0, depth, architecture, sigma_v2, sigma_a2)
            out["p"][i, j], out["c"][i, j] = curves.p[-1], curves.c[-1]
            out["grad_ratio"][i, j] = gradient_ratio(phi, w, b, p0, depth, architecture, sigma_v2, sigma_a2)[0]
    return {"sigma_w2": sw, "sigma_b2": sb, **out}
