"""Exact function probabilities of small networks, the references the sampler is tested against.

* :func:`perceptron_ones_law` — a bias-free perceptron f(x) = [w·x > 0] on {0,1}^n with any spherically symmetric
  law of w gives every number of ones t = 0, 1, …, 2^n − 1 probability 2^−n (Mingard et al., "Neural networks are
  a priori biased towards Boolean functions with low entropy", 2019, Thm. 4.1).
* :func:`neuron_function_probabilities` — for n = 2, f(x) = [w·x + b > 0] with w_i ~ N(0, σ_w²/2), b ~ N(0, σ_b²):
  with u = (w √2/σ_w, b/σ_b) standard normal in R³, f is fixed by the direction of u, so P(f) is the solid angle of
  the polyhedral cone {u : sign(a_x·u) = 2f(x) − 1 ∀x}, a_x = (σ_w x/√2, σ_b), over 4π. On the sphere
  u = (√(1−z²) cos φ, √(1−z²) sin φ, z), each a_x·u changes sign at ≤ 2 azimuths φ known in closed form, so the
  φ-measure of every function at fixed z is exact and P(f) = (1/4π) ∫_{−1}^{1} dz |{φ : f}| is a 1-D integral
  of a piecewise-smooth function, done by adaptive Gauss–Kronrod split at its kinks (no Monte Carlo).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import ParameterError


def perceptron_ones_law(n: int) -> np.ndarray:
    """P(t ones) for t = 0 … 2^n: 2^−n for t < 2^n, and 0 for t = 2^n (x = 0 always gives w·0 = 0 → 0)."""
    p = np.full((1 << n) + 1, 2.0 ** -n)
    p[-1] = 0.0
    return p


def _arc_measures(z: float, a: np.ndarray) -> np.ndarray:
    """|{φ ∈ [0, 2π) : direction (z, φ) computes function F}| for the 16 functions F (index Σ_a f(x_a) 2^a)."""
    rho = math.sqrt(max(0.0, 1.0 - z * z))
    cuts = [0.0, 2.0 * math.pi]
    for ax, ay, az in a:
        r = math.hypot(ax, ay)
        if r * rho > 0 and abs(az * z) < r * rho:
            phi0, half = math.atan2(ay, ax), math.acos(-az * z / (r * rho))
            cuts += [(phi0 + half) % (2 * math.pi), (phi0 - half) % (2 * math.pi)]
    cuts = np.sort(cuts)
    lengths = np.diff(cuts)
    mid = 0.5 * (cuts[1:] + cuts[:-1])
    u = np.stack([rho * np.cos(mid), rho * np.sin(mid), np.full(mid.size, z)])
    index = ((a @ u > 0) * (1 << np.arange(len(a)))[:, None]).sum(axis=0)
    return np.bincount(index, weights=lengths, minlength=16)


def neuron_function_probabilities(sigma_w2: float = 1.0, sigma_b2: float = 1.0) -> np.ndarray:
    """P(f) of the 16 functions of a two-input neuron with bias (module docstring); index Σ_a f(x_a) 2^a, which is
    the packed truth table's word. XOR (6) and XNOR (9) have probability 0."""
    from scipy.integrate import quad_vec

    if not sigma_w2 > 0:
        raise ParameterError("sigma_w2", sigma_w2, "a number > 0")
    if not sigma_b2 > 0:
        raise ParameterError("sigma_b2", sigma_b2, "a number > 0 (σ_b = 0 puts mass on cone boundaries)")
    sw, sb = math.sqrt(sigma_w2 / 2), math.sqrt(sigma_b2)
    a = np.array([[sw * (x >> 1 & 1), sw * (x & 1), sb] for x in range(4)])
    kinks = {0.0}
    for ax, ay, az in a:
        r = math.hypot(ax, ay)
        if r > 0 and az != 0:
            kinks |= {r / math.hypot(r, az), -r / math.hypot(r, az)}
    points = sorted(k for k in kinks if -1 < k < 1)
    total = np.zeros(16)
    for lo, hi in zip([-1.0] + points, points + [1.0]):
        total += quad_vec(lambda z: _arc_measures(z, a), lo, hi, epsabs=1e-13, epsrel=1e-11, limit=2000)[0]
    return total / (4 * math.pi)
