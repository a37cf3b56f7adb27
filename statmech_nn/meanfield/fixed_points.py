"""Fixed points q*, c*, their slopes and depth scales; the order-to-chaos line (Poole et al. 2016; Schoenholz et
al. 2017). Maps and notation: :mod:`.maps`.

    χ_1 = σ_w² E[φ'(√q* z)²]               slope of the c-map at c = 1
    χ_2 = σ_w² E[φ''(√q* z)²]              Poole's curvature term
    V'(q*) = χ_1 + σ_w² E[φ''(√q* z) φ(√q* z)]   slope of the q-map at q*
    χ_c = σ_w² E[φ'(u1) φ'(u2)] at (q*, c*)  slope of the c-map at c*
    ξ_q = −1/ln V'(q*),  ξ_c = −1/ln χ_c,  ξ_∇ = −1/ln χ_1   (Schoenholz et al.; ξ_∇ < 0: gradients grow)

Fixed points are roots, never limits of iteration (which converge only algebraically at χ_1 = 1): q* is the root of
V(q) − q by Newton's method safeguarded by a bracket and bisection; c* = 1 when χ_1 ≤ 1 (ordered phase) and
otherwise the root of C(c) − c in [0, 1), unique because C(q*, ·) = σ_b²/q* + Σ_n a_n² c^n (Mehler) is convex on
[0, 1] with C(1) = 1, C'(1) = χ_1 > 1; Newton from the left converges to it monotonically, and χ_c = C'(c*) < 1.

Where there is no ordinary fixed point:

* q* = 0 when σ_b² = 0, φ(0) = 0 and V'(0) = σ_w² φ'(0)² ≤ 1 (the signal dies out). c* = 1 and χ_c = χ_1 are then
  the σ_b² → 0⁺ limits (exactly at σ_b² = 0 the normalised correlation map of a vanishing signal is marginal).
* q* = ∞ when V(q) > q for all q: linear φ with σ_w² > 1, ReLU with σ_w² > 2, or on those lines with σ_b² > 0
  (q^l = q^0 + l σ_b²). χ_1 (= σ_w², σ_w²/2) is kept; c*, χ_c and the depth scales are nan.
* q* = nan at linear (1, 0) and ReLU (2, 0), where V(q) = q for every q. These are the critical points of the
  homogeneous activations: χ_1 = V' = χ_c = 1, c* = 1, and every depth scale is ∞.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.optimize import brentq

from .activations import LINEAR, RELU, activation, moments1
from .moment_table import NO_TABLE, table_moments
from .pair_table import NO_PAIR_TABLE, table_pair

Q_MAX = 1e16          # V(q) > q up to here means q* = ∞
MAX_ITER = 200
_RTOL = 2e-15
FIELDS = ("q_star", "chi1", "chi2", "dV", "c_star", "chi_c")


@njit(cache=True, error_model="numpy")
def solve_q(kernel, phi, dphi, d2phi, sw2, sb2, guess):
    """(q*, moments1 at q*): q* is the root of R(q) = V(q) − q (module docstring for 0, ∞ and nan); ``guess`` > 0
    warm-starts Newton. At q* = nan the moments are those at q = 1 (the maps do not depend on q there)."""
    if kernel == LINEAR or kernel == RELU:  # V(q) = a σ_w² q + σ_b²
        slope = sw2 * (1.0 if kernel == LINEAR else 0.5)
        q = sb2 / (1.0 - slope) if slope < 1.0 else np.nan if (slope == 1.0 and sb2 == 0.0) else np.inf
        return q, moments1(kernel, phi, dphi, d2phi, 1.0 if math.isnan(q) else q)
    return newton_q(kernel, phi, dphi, d2phi, NO_TABLE, moments1(kernel, phi, dphi, d2phi, 0.0), sw2, sb2, guess)


@njit(cache=True, error_model="numpy")
def newton_q(kernel, phi, dphi, d2phi, coef, m, sw2, sb2, guess):
    """The safeguarded Newton iteration for q* of a quadrature kernel, with moments from the table ``coef``
    (:data:`~.moment_table.NO_TABLE`: exact) and ``m`` the moments at q = 0."""
    r0 = sw2 * m[0] + sb2
    if r0 == 0.0 and sw2 * m[3] <= 1.0:
        return 0.0, m
    lo, hi = 0.0, np.inf  # R(lo) ≥ 0 (R > 0 just above 0 when R(0) = 0), R(hi) < 0
    x = guess if guess > 0.0 else max(r0, 1.0)
    for _ in range(MAX_ITER):
        m = table_moments(kernel, phi, dphi, d2phi, coef, x)
        r = sw2 * m[0] + sb2 - x
        if r == 0.0:
            break
        if r > 0.0:
            if x > Q_MAX:
                return np.inf, m
            lo = x
        else:
            hi = x
        dr = sw2 * m[3] - 1.0
        nxt = x - r / dr if dr != 0.0 else np.nan
        if not (lo < nxt < hi):
            nxt = 0.5 * (lo + hi) if hi < np.inf else 2.0 * x + 1.0
        elif hi == np.inf:
            nxt = min(nxt, 2.0 * x + 1.0)  # unbracketed: grow at most geometrically
        if abs(nxt - x) <= _RTOL * nxt or (hi < np.inf and hi - lo <= _RTOL * hi):
            break  # the moments at x are those at q* to ~1e-15
        x = nxt
    return x, m


@njit(cache=True, error_model="numpy")
def solve_c(kernel, phi, dphi, q, sw2, sb2, chi1, guess):
    """(c*, χ_c) at q = q* given χ_1; ``guess`` in (0, 1) warm-starts the safeguarded Newton iteration."""
    return newton_c(kernel, phi, dphi, NO_PAIR_TABLE[0], NO_PAIR_TABLE[1], q, sw2, sb2, chi1, guess)


@njit(cache=True, error_model="numpy")
def newton_c(kernel, phi, dphi, coef, cells, q, sw2, sb2, chi1, guess):
    """The safeguarded Newton iteration for c*, with the pair moments from the table (``coef``, ``cells``) of
    :mod:`.pair_table` (:data:`~.pair_table.NO_PAIR_TABLE`: exact)."""
    if chi1 <= 1.0:
        return 1.0, chi1
    lo, hi = 0.0, 1.0  # R(lo) ≥ 0 > R(hi⁻)
    x = guess if 0.0 < guess < 1.0 else 0.0
    chi_c = np.nan
    for _ in range(MAX_ITER):
        e, d = table_pair(kernel, phi, dphi, coef, cells, q, x)
        r = (sw2 * e + sb2) / q - x
        chi_c = sw2 * d
        # χ_c(c) increases with c and χ_c(c*) < 1, so χ_c ≥ 1 puts x right of c* even where rounding makes
        # R(x) ≥ 0 (next to the root c = 1, which a warm start close to 1 could otherwise return)
        right = r < 0.0 or chi_c >= 1.0
        if r == 0.0 and not right:
            return x, chi_c
        if right:
            hi = x
        else:
            lo = x
        nxt = x - r / (chi_c - 1.0)
        if not (lo < nxt < hi):
            nxt = 0.5 * (lo + hi)
        if abs(nxt - x) <= 1e-15 or hi - lo <= 1e-15:
            return nxt, chi_c
        x = nxt
    return x, chi_c


@njit(cache=True, error_model="numpy")
def solve_point(kernel, phi, dphi, d2phi, sw2, sb2, q_guess, c_guess, correlations, out):
    """Fill ``out`` with (q*, χ_1, χ_2, V'(q*), c*, χ_c); c*, χ_c only if ``correlations``."""
    q, m = solve_q(kernel, phi, dphi, d2phi, sw2, sb2, q_guess)
    out[0] = q
    out[4] = out[5] = np.nan
    if math.isinf(q) and not (kernel == LINEAR or kernel == RELU):
        out[1] = out[2] = out[3] = np.nan
        return
    out[1], out[2], out[3] = sw2 * m[1], sw2 * m[2], sw2 * m[3]  # q-independent for linear and ReLU
    if correlations and not math.isinf(q):
        q_eval = 1.0 if math.isnan(q) else q  # homogeneous φ at its degenerate point: maps do not depend on q
        out[4], out[5] = solve_c(kernel, phi, dphi, q_eval, sw2, sb2, out[1], c_guess)


def depth_scale(slope):
    """ξ = −1/ln|slope| (∞ at |slope| = 1), elementwise."""
    s = np.abs(np.asarray(slope, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = np.where(s == 1.0, np.inf, -1.0 / np.log(s))
    return xi if xi.ndim else float(xi)


@dataclass(frozen=True)
class FixedPoint:
    """Mean-field fixed point of (φ, σ_w², σ_b²); see the module docstring for every field and the conventions."""

    q_star: float
    chi1: float
    chi2: float
    dV: float        # V'(q*)
    c_star: float
    chi_c: float

    @property
    def xi_q(self) -> float:
        return depth_scale(self.dV)

    @property
    def xi_c(self) -> float:
        return depth_scale(self.chi_c)

    @property
    def xi_grad(self) -> float:
        """ξ_∇ = −1/ln χ_1 (negative when χ_1 > 1: gradients grow)."""
        return math.inf if self.chi1 == 1 else -1.0 / math.log(self.chi1)


def _point(a, sigma_w2: float, sigma_b2: float, correlations: bool = True) -> np.ndarray:
    out = np.empty(6)
    solve_point(a.kernel, a.phi, a.dphi, a.d2phi, float(sigma_w2), float(sigma_b2), 0.0, 0.0, correlations, out)
    return out


def _check(sigma_w2: float, sigma_b2: float) -> None:
    if not (sigma_w2 > 0 and math.isfinite(sigma_w2) and sigma_b2 >= 0 and math.isfinite(sigma_b2)):
        raise ValueError(f"need sigma_w2 > 0 and sigma_b2 >= 0, finite; got {sigma_w2}, {sigma_b2}")


def fixed_point(phi, sigma_w2: float, sigma_b2: float) -> FixedPoint:
    """q*, χ_1, χ_2, V'(q*), c*, χ_c (and the depth scales as properties) for activation ``phi``."""
    _check(sigma_w2, sigma_b2)
    return FixedPoint(*map(float, _point(activation(phi), sigma_w2, sigma_b2)))


def sigma_w2_critical(phi, sigma_b2: float) -> float:
    """The σ_w² at which χ_1(σ_w², σ_b²) = 1 with q* the fixed point at (σ_w², σ_b²): the order-to-chaos line.

    Linear: 1, ReLU: 2 (for every σ_b²; q* is finite on it only at σ_b² = 0). Otherwise Brent's method on
    χ_1 − 1 (absolute tolerance 1e-14); nan if χ_1 stays below 1 up to σ_w² = 1e6.
    """
    _check(1.0, sigma_b2)
    a = activation(phi)
    if a.homogeneous_slope is not None:
        return 1.0 / a.homogeneous_slope

    def excess(sw2: float) -> float:
        return _point(a, sw2, sigma_b2, correlations=False)[1] - 1.0

    lo = hi = 1.0
    if excess(hi) < 0:
        while excess(hi) < 0:
            lo, hi = hi, 2.0 * hi
            if hi > 1e6:
                return math.nan
    else:
        while excess(lo) >= 0:
            lo, hi = 0.5 * lo, lo
            if lo < 1e-12:
                return math.nan
    if excess(hi) == 0.0:
        return hi
    return brentq(excess, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200)
