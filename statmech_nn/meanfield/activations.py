"""Activations φ with φ', φ'' and the Gaussian moments the mean-field maps need.

For u ~ N(0, q) and a pair (u1, u2) with variances q and correlation c, every map below is built from

    moments1(q)    = (E[φ(u)²], E[φ'(u)²], E[φ''(u)²], d/dq E[φ(u)²])        d/dq E[φ²] = E[φ'²] + E[φ φ'']  (Stein)
    moments2(q, c) = (E[φ(u1) φ(u2)], E[φ'(u1) φ'(u2)])

computed in closed form where one exists and by :mod:`.quadrature` otherwise:

* ``linear``    φ = u:               (q, 1, 0, 1);  (q c, 1).
* ``relu``      φ = max(u, 0):       (q/2, 1/2, ∞, 1/2); arc-cosine kernel (Cho & Saul 2009)
                E[φφ] = q/(2π) (√(1−c²) + (π − arccos c) c),  E[φ'φ'] = (π − arccos c)/(2π).
* ``erf``       φ = erf(a u) with a = √π/2 (slope 1 at 0, like tanh); ``erf-plain``: φ = erf(u), a = 1 (the
                convention of Lee et al. 2018 and neural-tangents). Both by Williams' (1998) arcsine kernel:
                E[φ²] = (2/π) arcsin(2a²q/(1+2a²q)),  E[φ'²] = (4a²/π)/√(1+4a²q),
                E[φ''²] = (16a⁶/π) q/(1+4a²q)^{3/2},  d/dq E[φ²] = (4a²/π)/((1+2a²q)√(1+4a²q)),
                E[φφ] = (2/π) arcsin(2a²qc/(1+2a²q)),  E[φ'φ'] = (4a²/π)/√((1+2a²q)² − (2a²qc)²).
* ``hard-tanh`` φ = clip(u, −1, 1), with a = 1/√q: E[φ²] = q (erf(a/√2) − 2aϕ(a)) + erfc(a/√2),
                E[φ'²] = erf(a/√2), E[φ''²] = ∞, d/dq E[φ²] = erf(a/√2) − 2aϕ(a); the pair moments follow from
                Price's theorem, ∂_c E[φ'φ'] = q E[φ''φ''] with φ'' = δ(u+1) − δ(u−1), as a smooth integral
                over θ = arcsin r (Gauss–Legendre, graded towards |θ| = π/2):
                E[φ'φ'] = erf(a/√2)² + (1/π) ∫_0^{arcsin c} D(θ) dθ,  E[φφ] = q (c erf(a/√2)² + (1/π) ∫_0^{arcsin c}
                (c − sin θ) D(θ) dθ),  D(θ) = exp(−a²/(1 + sin θ)) − exp(−a²/(1 − sin θ)).
* ``tanh``, ``sigmoid`` and user activations: quadrature (smooth φ only).

E[φ''²] is ∞ for the kinked ReLU and hard-tanh (φ'' has delta functions), so Poole's χ_2 is ∞ there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import cfunc, njit
from numba.core.ccallback import CFunc

from .quadrature import SIGNATURE, as_cfunc, moments1_kernel, pair_kernel

QUADRATURE, LINEAR, RELU, ERF, HARD_TANH, ERF_PLAIN = range(6)
_A_ERF = math.sqrt(math.pi) / 2.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)


@dataclass(frozen=True, eq=False)
class Activation:
    """An activation φ with its first two derivatives, each a Numba-compatible function of one float.

    ``Activation(phi, dphi, d2phi, name)`` accepts Python functions, ``@njit`` functions or ``cfunc``\\ s; they are
    compiled as ``float64(float64)`` cfuncs. User activations are integrated by quadrature and must be smooth.
    ``kernel`` selects a built-in closed form (module docstring) and is not for user activations.
    """

    phi: CFunc
    dphi: CFunc
    d2phi: CFunc
    name: str
    kernel: int = QUADRATURE

    def __post_init__(self):
        for field in ("phi", "dphi", "d2phi"):
            object.__setattr__(self, field, as_cfunc(getattr(self, field)))

    @property
    def homogeneous_slope(self) -> float | None:
        """a with E[φ(u)²] = a q for every q (linear: 1, relu: 1/2), else None."""
        return {LINEAR: 1.0, RELU: 0.5}.get(self.kernel)

    def __call__(self, u):
        """φ applied elementwise (numpy arrays or scalars)."""
        return np.vectorize(self.phi.ctypes, otypes=[float])(u)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# ---- built-in activations ------------------------------------------------------------------------------------
@cfunc(SIGNATURE, cache=True)
def _tanh(u):
    return math.tanh(u)


@cfunc(SIGNATURE, cache=True)
def _dtanh(u):
    return 1.0 / math.cosh(u) ** 2


@cfunc(SIGNATURE, cache=True)
def _d2tanh(u):
    return -2.0 * math.tanh(u) / math.cosh(u) ** 2


@cfunc(SIGNATURE, cache=True)
def _erf(u):
    return math.erf(_A_ERF * u)


@cfunc(SIGNATURE, cache=True)
def _derf(u):
    return math.exp(-_A_ERF * _A_ERF * u * u)


@cfunc(SIGNATURE, cache=True)
def _d2erf(u):
    return -2.0 * _A_ERF * _A_ERF * u * math.exp(-_A_ERF * _A_ERF * u * u)


@cfunc(SIGNATURE, cache=True)
def _erf_plain(u):
    return math.erf(u)


@cfunc(SIGNATURE, cache=True)
def _derf_plain(u):
    return 2.0 / math.sqrt(math.pi) * math.exp(-u * u)


@cfunc(SIGNATURE, cache=True)
def _d2erf_plain(u):
    return -4.0 / math.sqrt(math.pi) * u * math.exp(-u * u)


@njit(cache=True)
def _logistic(u):
    if u >= 0.0:
        return 1.0 / (1.0 + math.exp(-u))
    e = math.exp(u)
    return e / (1.0 + e)


@cfunc(SIGNATURE, cache=True)
def _sigmoid(u):
    return _logistic(u)


@cfunc(SIGNATURE, cache=True)
def _dsigmoid(u):
    s = _logistic(u)
    return s * (1.0 - s)


@cfunc(SIGNATURE, cache=True)
def _d2sigmoid(u):
    s = _logistic(u)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


@cfunc(SIGNATURE, cache=True)
def _relu(u):
    return u if u > 0.0 else 0.0


@cfunc(SIGNATURE, cache=True)
def _step(u):
    return 1.0 if u > 0.0 else 0.0


@cfunc(SIGNATURE, cache=True)
def _zero(u):
    return 0.0


@cfunc(SIGNATURE, cache=True)
def _hard_tanh(u):
    return min(1.0, max(-1.0, u))


@cfunc(SIGNATURE, cache=True)
def _dhard_tanh(u):
    return 1.0 if -1.0 < u < 1.0 else 0.0


@cfunc(SIGNATURE, cache=True)
def _identity(u):
    return u


@cfunc(SIGNATURE, cache=True)
def _one(u):
    return 1.0


ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (
        Activation(_tanh, _dtanh, _d2tanh, "tanh"),
        Activation(_erf, _derf, _d2erf, "erf", ERF),
        Activation(_erf_plain, _derf_plain, _d2erf_plain, "erf-plain", ERF_PLAIN),
        Activation(_relu, _step, _zero, "relu", RELU),
        Activation(_hard_tanh, _dhard_tanh, _zero, "hard-tanh", HARD_TANH),
        Activation(_identity, _one, _zero, "linear", LINEAR),
        Activation(_sigmoid, _dsigmoid, _d2sigmoid, "sigmoid"),
    )
}


def activation(phi: str | Activation) -> Activation:
    """The built-in activation named ``phi`` (``ACTIVATIONS``), or ``phi`` itself if it is an Activation."""
    if isinstance(phi, Activation):
        return phi
    try:
        return ACTIVATIONS[phi]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {phi!r}; known: {', '.join(ACTIVATIONS)}") from None


# ---- moments (Numba) ---------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _hard_tanh_pair(q, c):
    """(E[φφ], E[φ'φ']) for φ = clip(u, −1, 1) by the Price-theorem θ integral (module docstring)."""
    c = min(1.0, max(-1.0, c))
    if q == 0.0:
        return 0.0, 1.0
    a2 = 1.0 / q
    a = math.sqrt(a2)
    e2 = math.erf(a / math.sqrt(2.0)) ** 2
    end = math.asin(c)
    sign = 1.0 if end >= 0.0 else -1.0
    # panel edges 0 < ... < |end|, graded geometrically towards π/2 where D(θ) varies on the scale a
    edges = [0.0]
    k = 12
    while k >= -3:
        x = 0.5 * math.pi - a * 2.0**k
        if 0.0 < x < abs(end):
            edges.append(x)
        k -= 1
    edges.append(abs(end))
    i_d = i_p = 0.0
    for p in range(len(edges) - 1):
        lo, hi = sign * edges[p], sign * edges[p + 1]
        half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
        for n in range(_GL_X.size):
            st = math.sin(mid + half * _GL_X[n])
            d = math.exp(-a2 / (1.0 + st)) - math.exp(-a2 / (1.0 - st))
            i_d += half * _GL_W[n] * d
            i_p += half * _GL_W[n] * (c - st) * d
    return q * (c * e2 + i_p / math.pi), e2 + i_d / math.pi


@njit(cache=True, error_model="numpy")
def moments1(kernel, phi, dphi, d2phi, q):
    """(E[φ²], E[φ'²], E[φ''²], d/dq E[φ²]) at u ~ N(0, q)."""
    if kernel == LINEAR:
        return q, 1.0, 0.0, 1.0
    if kernel == RELU:
        return 0.5 * q, 0.5, np.inf, 0.5
    if kernel == ERF or kernel == ERF_PLAIN:
        a2 = _A_ERF * _A_ERF if kernel == ERF else 1.0
        x = 2.0 * a2 * q
        r = math.sqrt(1.0 + 2.0 * x)
        k = 4.0 * a2 / math.pi
        return (2.0 / math.pi) * math.asin(x / (1.0 + x)), k / r, k * 4.0 * a2 * a2 * q / r**3, k / ((1.0 + x) * r)
    if kernel == HARD_TANH:
        if q == 0.0:
            return 0.0, 1.0, np.inf, 1.0
        a = 1.0 / math.sqrt(q)
        p_in = math.erf(a / math.sqrt(2.0))
        tail = 2.0 * a * math.exp(-0.5 * a * a) * _INV_SQRT_2PI
        return q * (p_in - tail) + math.erfc(a / math.sqrt(2.0)), p_in, np.inf, p_in - tail
    m0, m1, m2, m3 = moments1_kernel(phi, dphi, d2phi, q)
    return m0, m1, m2, m1 + m3


@njit(cache=True, error_model="numpy")
def moments2(kernel, phi, dphi, q, c):
    """(E[φ(u1) φ(u2)], E[φ'(u1) φ'(u2)]) for variances q and correlation c."""
    c = min(1.0, max(-1.0, c))
    if kernel == LINEAR:
        return q * c, 1.0
    if kernel == RELU:
        theta = math.acos(c)
        return q / (2.0 * math.pi) * (math.sqrt(1.0 - c * c) + (math.pi - theta) * c), (math.pi - theta) / (2 * math.pi)
    if kernel == ERF or kernel == ERF_PLAIN:
        a2 = _A_ERF * _A_ERF if kernel == ERF else 1.0
        x = 2.0 * a2 * q
        return ((2.0 / math.pi) * math.asin(x * c / (1.0 + x)),
                4.0 * a2 / math.pi / math.sqrt((1.0 + x) ** 2 - (x * c) ** 2))
    if kernel == HARD_TANH:
        return _hard_tanh_pair(q, c)
    return pair_kernel(phi, phi, dphi, dphi, q, c)
