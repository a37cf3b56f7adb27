"""Mean-field length and curvature of a curve of inputs propagated through a deep random network
(Poole et al., NeurIPS 2016, "Exponential expressivity in deep neural networks through transient chaos", Sec. 4;
Raghu et al., ICML 2017, transitions).

Let h(θ) ∈ R^N be a smooth curve at layer l−1 whose points all have squared length q^{l−1} = |h|²/N, with
velocity v = ∂_θ h and acceleration a = ∂_θ² h. One layer, h' = W φ(h) + b, W_ij ~ N(0, σ_w²/N), maps them to

    v' = W (φ'(h) ⊙ v),     a' = W (φ''(h) ⊙ v ⊙ v + φ'(h) ⊙ a).

For N → ∞, |W x|² → σ_w² |x|², and the components h_j, v_j are independent centred Gaussians of variances
q^{l−1} and |v|²/N. The curve lies on the sphere |h|² = N q^{l−1}, so h·a = −|v|² and a_j = −c h_j + ã_j with
c = |v|²/(N q^{l−1}) and ã_j independent of h_j. The centripetal part −c h enters |a'|² twice, through
Σ φ'² a² and through the cross term 2 Σ φ''φ' v² a, and the two extra terms cancel by Stein's lemma,
E[φ'² u²] = q E[φ'²] + 2q E[u φ'φ'']. With χ_1 = σ_w² E[φ'(u)²], χ_2 = σ_w² E[φ''(u)²], u ~ N(0, q^{l−1})
(:mod:`.fixed_points` at q = q*) therefore

    |v'|² = χ_1 |v|²,   |a'|² = χ_1 |a|² + 3 χ_2 |v|⁴ / N   (E[v_j⁴] = 3 (|v|²/N)²),   v'·a' = χ_1 v·a.

Hence the Euclidean length L^E = ∫ |v| dθ and the extrinsic curvature κ = √(|v|²|a|² − (v·a)²)/|v|³ obey

    L^E_l = √χ_1 L^E_{l−1},        κ̄_l² = 3 χ_2 / χ_1² + κ̄_{l−1}² / χ_1,     κ̄ = √N κ,

the recursion of Poole et al., which in this form (with χ_2 = σ_w² E[φ''²] as in :mod:`.fixed_points`) holds
for κ̄ = √N κ, the curvature in units of 1/√N, as derived above; the dimensionless curvature relative to the
radius √(N q) of a great circle is √q κ̄. In the chaotic phase (χ_1 > 1) κ̄ saturates at
κ̄_∞² = 3 χ_2 / (χ_1 (χ_1 − 1)); in the ordered phase it grows as χ_1^{−l/2}. The Grassmannian length, the length
of the curve of unit tangents, L^G = ∫ κ |v| dθ = κ̄ L^E / √N, is 2π for any circle and therefore grows as
χ_1^{l/2} once κ̄ saturates: global curvature exponential in depth (Poole et al., Fig. 4).

Transitions (Raghu et al.): unit j changes sign where h_j(θ) crosses 0. By Rice's formula for the Gaussian
process h_j(θ) (value and slope independent, variances q^l and |v^l|²/N) it does so
(1/π)∫ √(|v|²/(N q^l)) dθ = L^E_l / (π √(N q^l)) times around a closed curve, so the expected number of neuron
transitions of layer l is T_l = √N L^E_l / (π √q^l): proportional to the trajectory length (2N for the circle).
Crossings of the levels h = ±1, where a hard-tanh unit enters or leaves saturation (the transitions Raghu et al.
count for hard tanh), carry Rice's factor exp(−1/(2q^l)) each: S_l = 2 T_l exp(−1/(2 q^l)).

Finite width, Gaussian W: given layer l−1, (v', a') = (W x, W y) have the 2×2 Wishart Gram matrix
(σ_w²/N) S, S ~ W_2(N, Gram(x, y)); by Bartlett's decomposition |a'_⊥|² ∝ χ²_{N−1} is independent of
|v'|² ∝ χ²_N, so E_W[κ'²] = N(N−1)/((N−2)(N−4)) × (its N → ∞ value) exactly (:func:`gaussian_width_factor`):
the κ̄ map is biased up by ≈ 5/(2N) per layer at finite N (orthogonal W: factor 1, |O x| = |x|).

With q^0 ≠ q* every slope is evaluated at the iterate q^{l−1} of the q-map instead of q*. For ReLU and hard-tanh
χ_2 = ∞ (φ'' has delta functions): the curve acquires kinks and κ̄ is ∞ for l ≥ 1.

Principal components of the propagated circle (Poole et al., Fig. 3: the circle projected on its top principal
components). Two points of the circle at angles θ, θ' have h·h'/N → q^l c^l(θ − θ') with c^0(θ) = cos θ and
c^l = C(q^{l−1}, c^{l−1}) the c-map (:mod:`.maps`) applied pointwise in θ. The Gram matrix of P equally spaced
points is therefore circulant: its eigenvectors are the Fourier modes of the circle and its eigenvalues, per point,
are the Fourier coefficients a_k = (1/P) Σ_m q^l c^l(θ_m) cos(k θ_m), each twice (k and −k, k ≠ 0, P/2). Centring
the points removes a_0 (the mean point), so the covariance of the points per unit, (1/(PN)) Σ_p (h_p − h̄)(h_p − h̄)ᵀ,
has total variance q^l − a_0 and eigenvalues a_k, k ≥ 1 (:func:`circle_spectrum`). The input circle has a_1 = q0/2
only (two components carry all the variance). Ordered phase: once the points are close, 1 − c^l shrinks by χ_1
per layer at every θ (the c-map linearised at c = 1), so the shrinking curve keeps its shape (top-2 share 0.99,
0.88, 0.83 at layers 1, 8, 16 for tanh, σ_w² = 1.5, σ_b² = 0.1, settling slowly as χ_1^l → 0). Chaotic phase: c^l(θ) → c* except in a peak of width ~ χ_1^{−l/2} around
θ = 0, whose Fourier spectrum spreads over ~χ_1^{l/2} harmonics: the top-2 fraction of the variance falls with depth.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .activations import activation, moments1
from .maps import c_map, theory_curves

FIELDS = ("q", "chi1", "chi2", "length", "curvature", "grassmannian_length", "transitions")


@njit(cache=True, error_model="numpy")
def _recursions(kernel, phi, dphi, d2phi, sw2, sb2, q0, depth, width):
    out = np.empty((7, depth + 1))
    q, length, kbar = q0, 2.0 * math.pi * math.sqrt(width * q0), 1.0 / math.sqrt(q0)
    out[0, 0], out[1, 0], out[2, 0] = q0, np.nan, np.nan
    for lay in range(depth + 1):
        if lay > 0:
            m = moments1(kernel, phi, dphi, d2phi, q)
            chi1, chi2 = sw2 * m[1], sw2 * m[2]
            q = sw2 * m[0] + sb2
            length *= math.sqrt(chi1)
            kbar = math.sqrt(3.0 * chi2 / (chi1 * chi1) + kbar * kbar / chi1)
            out[0, lay], out[1, lay], out[2, lay] = q, chi1, chi2
        out[3, lay] = length
        out[4, lay] = kbar
        out[5, lay] = kbar * length / math.sqrt(width)
        out[6, lay] = math.sqrt(width) * length / (math.pi * math.sqrt(q))
    return out


def curve_theory(phi, sigma_w2: float, sigma_b2: float, q0: float, depth: int, width: int) -> dict[str, np.ndarray]:
    """Mean-field predictions at layers l = 0..depth for a great circle of radius √(N q0) (N = ``width``):
    ``q`` (q^l), ``chi1``/``chi2`` (the slopes of the map from layer l−1 to l; nan at l = 0), ``length`` (L^E_l),
    ``curvature`` (κ̄_l = √N κ_l), ``grassmannian_length`` (L^G_l), ``transitions`` (T_l) and
    ``saturation_transitions`` (S_l, crossings of h = ±1); module docstring."""
    if not (q0 > 0 and math.isfinite(q0)):
        raise ValueError(f"need a finite q0 > 0, got {q0}")
    a = activation(phi)
    with np.errstate(invalid="ignore"):
        table = _recursions(a.kernel, a.phi, a.dphi, a.d2phi, float(sigma_w2), float(sigma_b2), float(q0),
                            int(depth), int(width))
    curves = dict(zip(FIELDS, table))
    curves["saturation_transitions"] = 2.0 * curves["transitions"] * np.exp(-0.5 / curves["q"])
    return curves


def saturated_curvature(chi1: float, chi2: float) -> float:
    """κ̄_∞ = √(3 χ_2 / (χ_1 (χ_1 − 1))), the chaotic-phase limit of the κ̄ recursion (∞ for χ_1 ≤ 1)."""
    return math.sqrt(3.0 * chi2 / (chi1 * (chi1 - 1.0))) if chi1 > 1.0 else math.inf


def gaussian_width_factor(width: int) -> float:
    """E_W[κ'²] / (its mean-field value) = N(N−1)/((N−2)(N−4)) for one Gaussian layer of width N > 4."""
    n = float(width)
    return n * (n - 1.0) / ((n - 2.0) * (n - 4.0))


def circle_spectrum(phi, sigma_w2: float, sigma_b2: float, q0: float, depth: int, components: int,
                    grid: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Mean-field principal-component spectrum of the great circle of squared length ``q0`` at layers 0..depth
    (module docstring): ``(variances, total)``, the ``components`` largest eigenvalues a_k (k ≥ 1, each twice) of the
    centred covariance of the points per unit, (depth + 1, components), and its trace q^l − a_0, (depth + 1,).
    The c-map runs on ``grid`` (even) equally spaced angles, the exact circulant of a run with that many points and
    the Fourier series of c^l(θ) up to aliasing, negligible while a_k has decayed by k = grid/2."""
    if grid < 4 or grid % 2:
        raise ValueError(f"need an even grid >= 4, got {grid}")
    a = activation(phi)
    q, _ = theory_curves(a, sigma_w2, sigma_b2, q0, 0.0, depth)
    half = grid // 2
    c = np.cos(2.0 * np.pi * np.arange(half + 1) / grid)  # c(θ) = c(−θ): angles 0..π suffice
    variances, total = np.zeros((depth + 1, components)), np.empty(depth + 1)
    for lay in range(depth + 1):
        if lay > 0:
            c = c_map(a, sigma_w2, sigma_b2, q[lay - 1], c)
        kernel = q[lay] * c
        coef = np.fft.rfft(np.concatenate([kernel, kernel[half - 1:0:-1]])).real / grid
        eig = np.sort(np.concatenate([coef[1:half], coef[1:half], coef[half:]]))[::-1][:components]
        variances[lay, :eig.size] = eig
        total[lay] = q[lay] - coef[0]
    return variances, total


#: (2/π)^{1/4}: the σ_w → ∞ limit of √χ_1 (hard-tanh, k → ∞) over :func:`raghu_hard_tanh_bound` at k → ∞, approached
#: from above (0.95-0.99 for σ_w² ≤ 4, σ_b² ≤ 0.1); the constant the O(·) of Raghu et al.'s bound must allow.
HARD_TANH_BOUND_CONSTANT = (2.0 / math.pi) ** 0.25


def raghu_hard_tanh_bound(sigma_w2: float, sigma_b2: float, width: int) -> float:
    """The per-layer growth factor of Raghu et al. 2017 (ICML), Theorem 1 for hard-tanh networks of width k:
    E[l(z^(d))] ≥ O((σ_w √k / √(σ_w² + σ_b² + k √(σ_w² + σ_b²)))^d) l(x), a lower bound up to the constant the O
    leaves unstated. At k → ∞ it tends to σ_w / (σ_w² + σ_b²)^{1/4}; the mean-field growth √χ_1 approaches
    :data:`HARD_TANH_BOUND_CONSTANT` = (2/π)^{1/4} times that at large σ_w (χ_1 = σ_w² P(|u| < 1), u ~ N(0, q*),
    q* → σ_w², P(|u| < 1) → √(2/π)/σ_w)."""
    s = math.sqrt(sigma_w2 + sigma_b2)
    return math.sqrt(sigma_w2 * width / (s * s + width * s))
