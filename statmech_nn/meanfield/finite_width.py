"""Leading 1/N corrections to the mean length q^l and correlation c^l of finite-width random networks
h^l = W^l φ(h^{l−1}) + b^l (W_ij ~ N(0, σ_w²/N), b_i ~ N(0, σ_b²); the maps of :mod:`.maps`). Derivation (ours; the
same expansion as Yaida 2019's finite-width recursions at leading order):

Let k̂^l = σ_w² (1/N) Σ_j φ(h_j^{l−1}) φ(h_j^{l−1})ᵀ + σ_b² be the empirical 2×2 covariance fed into layer l,
written as the vector (k11, k22, k12). Given layer l−1 the rows of W^l are independent, so the N units
h_i^l are i.i.d. N(0, k̂^l) *exactly*: (k̂^l) is a Markov chain with

    E[k̂^{l+1} | k̂^l] = F(k̂^l),   F(k) = σ_w² E_k[φ(u_a)φ(u_b)] + σ_b²   (the N = ∞ map of :mod:`.nngp`),
    Cov[k̂^{l+1} | k̂^l] = Σ(k̂^l)/N,   Σ(k) = σ_w⁴ Cov_k[(φ_a², φ_b², φ_a φ_b)].

Expanding F about the N = ∞ curve k^l to second order, the bias δ^l = E[k̂^l] − k^l and covariance S^l = Cov[k̂^l]
obey, to O(1/N),

    δ^{l+1} = J(k^l) δ^l + ½ H(k^l) : S^l,     S^{l+1} = J(k^l) S^l J(k^l)ᵀ + Σ(k^l)/N,

J and H the Jacobian and Hessian of F (central differences of F; Σ by Gauss–Hermite). The observed
q̂^l_ab = (1/N) Σ_i h_ia h_ib adds Wishart noise, Cov[q̂_ab, q̂_cd | k̂] = (k_ac k_bd + k_ad k_bc)/N, so

    E[q̂^l] = q^l + (δ_11 + δ_22)/2,     E[ĉ^l] = c^l + ∇g·δ^l + ½ ∇²g : (S^l + Wish(k^l)/N),   g = k12/√(k11 k22).

The convex c-map (Jensen) makes the bias of c positive near c*, and it accumulates over ~1/(1 − χ_c) layers. The
expansion assumes inputs whose N coordinates are i.i.d. N(0, k^0) (so k̂^0 = k^0 exactly; sampled by
``models.resnet.sampled_curves(iid_inputs=True)``); the fixed-length pairs of ``deepnet.input_pair`` differ at
O(1/N) in the first layers only, and their memory fades like χ_c^l.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .maps import theory_curves
from .nngp import activation_param, check_depth, check_variances, pair_expectation
from .residual import check_input

#: 64-node Gauss–Hermite rule (normalised weights) for the fourth moments of the finite-width correction.
_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(64)
_GH_W = _GH_W / _GH_W.sum()

_STEP = 1e-4


@njit(cache=True, error_model="numpy")
def _product_moments(f, k11, k22, k12, z, w):
    """Mean (3,) and covariance (3, 3) of X = (φ_a², φ_b², φ_a φ_b) for (u_a, u_b) ~ N(0, k), Gauss–Hermite."""
    s1 = math.sqrt(k11)
    r = k12 / s1
    s2 = math.sqrt(max(0.0, k22 - r * r))
    mean = np.zeros(3)
    second = np.zeros((3, 3))
    x = np.empty(3)
    for i in range(z.size):
        fa = f(s1 * z[i])
        for j in range(z.size):
            fb = f(r * z[i] + s2 * z[j])
            wt = w[i] * w[j]
            x[0], x[1], x[2] = fa * fa, fb * fb, fa * fb
            for a in range(3):
                mean[a] += wt * x[a]
                for b in range(3):
                    second[a, b] += wt * x[a] * x[b]
    for a in range(3):
        for b in range(3):
            second[a, b] -= mean[a] * mean[b]
    return mean, second


def _map(a, sw2, sb2, ks: np.ndarray) -> np.ndarray:
    """F(k) for rows k = (k11, k22, k12) of ``ks``."""
    k11, k22, k12 = ks[:, 0], ks[:, 1], ks[:, 2]
    e = pair_expectation(a, np.concatenate([k11, k22, k11]), np.concatenate([k11, k22, k22]),
                         np.concatenate([k11, k22, k12]))
    return sw2 * e.reshape(3, -1).T + sb2


def _derivatives(a, sw2, sb2, k):
    """(J, H) of F at k by central differences: J[α, β] = ∂F_α/∂k_β, H[α, β, γ] = ∂²F_α/∂k_β∂k_γ."""
    h = _STEP * max(k[0], k[1])
    eye = np.eye(3) * h
    points = [k]
    for b in range(3):
        points += [k + eye[b], k - eye[b]]
    for b in range(3):
        for c in range(b + 1, 3):
            points += [k + eye[b] + eye[c], k + eye[b] - eye[c], k - eye[b] + eye[c], k - eye[b] - eye[c]]
    f = _map(a, sw2, sb2, np.array(points))
    jac, hess = np.empty((3, 3)), np.empty((3, 3, 3))
    for b in range(3):
        jac[:, b] = (f[1 + 2 * b] - f[2 + 2 * b]) / (2 * h)
        hess[:, b, b] = (f[1 + 2 * b] - 2 * f[0] + f[2 + 2 * b]) / h**2
    n = 7
    for b in range(3):
        for c in range(b + 1, 3):
            hess[:, b, c] = hess[:, c, b] = (f[n] - f[n + 1] - f[n + 2] + f[n + 3]) / (4 * h * h)
            n += 4
    return jac, hess


def _wishart(k) -> np.ndarray:
    """N · Cov of (q̂11, q̂22, q̂12) for N i.i.d. N(0, k) samples."""
    k11, k22, k12 = k
    return np.array([[2 * k11**2, 2 * k12**2, 2 * k11 * k12],
                     [2 * k12**2, 2 * k22**2, 2 * k22 * k12],
                     [2 * k11 * k12, 2 * k22 * k12, k11 * k22 + k12**2]])


def _correlation_derivatives(k):
    """(∇g, ∇²g) of g = k12/√(k11 k22)."""
    k11, k22, k12 = k
    s = 1.0 / math.sqrt(k11 * k22)
    g = k12 * s
    grad = np.array([-0.5 * g / k11, -0.5 * g / k22, s])
    hess = np.array([[0.75 * g / k11**2, 0.25 * g / (k11 * k22), -0.5 * s / k11],
                     [0.25 * g / (k11 * k22), 0.75 * g / k22**2, -0.5 * s / k22],
                     [-0.5 * s / k11, -0.5 * s / k22, 0.0]])
    return grad, hess


@dataclass(frozen=True)
class FiniteWidthCurves:
    """N = ∞ curves ``q``, ``c`` and the coefficients of their 1/N corrections, ``q_coef``, ``c_coef`` (so that
    E[q̂^l] = q^l + q_coef^l/N + O(N^−2)); ``var_q``, ``var_c``: N · Var of q̂^l, ĉ^l (leading order)."""

    q: np.ndarray
    c: np.ndarray
    q_coef: np.ndarray
    c_coef: np.ndarray
    var_q: np.ndarray
    var_c: np.ndarray

    def at_width(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """(E[q̂^l], E[ĉ^l]) to O(1/N) at N = ``width``."""
        return self.q + self.q_coef / width, self.c + self.c_coef / width


def finite_width_curves(phi, sigma_w2: float, sigma_b2: float, q0: float, c0: float, depth: int) -> FiniteWidthCurves:
    """The 1/N expansion of the module docstring for l = 0..depth (exact inputs: entries i.i.d. N(0, k^0))."""
    check_variances(sigma_w2, sigma_b2)
    check_input(q0, c0)
    depth = check_depth(depth)
    a = activation_param(phi)
    q, c = theory_curves(a, sigma_w2, sigma_b2, q0, c0, depth)
    delta, cov = np.zeros(3), np.zeros((3, 3))  # N δ and N S
    out = {name: np.empty(depth + 1) for name in ("q_coef", "c_coef", "var_q", "var_c")}
    for layer in range(depth + 1):
        k = np.array([q[layer], q[layer], q[layer] * c[layer]])
        grad, hess = _correlation_derivatives(k)
        observed = cov + _wishart(k)
        out["q_coef"][layer] = 0.5 * (delta[0] + delta[1])
        out["c_coef"][layer] = grad @ delta + 0.5 * np.sum(hess * observed)
        out["var_q"][layer] = 0.25 * (observed[0, 0] + 2 * observed[0, 1] + observed[1, 1])
        out["var_c"][layer] = grad @ observed @ grad
        if layer < depth:
            jac, hess_f = _derivatives(a, sigma_w2, sigma_b2, k)
            noise = sigma_w2**2 * _product_moments(a.phi, k[0], k[1], k[2], _GH_Z, _GH_W)[1]
            delta = jac @ delta + 0.5 * np.einsum("abc,bc->a", hess_f, cov)
            cov = jac @ cov @ jac.T + noise
    return FiniteWidthCurves(q, c, **out)
