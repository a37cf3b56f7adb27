"""Annealed complexity of the critical points of the spherical pure p-spin glass (Auffinger, Ben Arous & Černý,
"Random matrices and complexity of spin glasses", CPAM 66, 165 (2013), Theorems 2.5 and 2.8).

For H with E[H(σ)H(σ')] = N (σ·σ'/N)^p (our :mod:`.pspin` normalisation) and energies per spin u = H/N < 0,
with E_∞ = 2√((p−1)/p) and, for u ≤ −E_∞,

    I_1(u) = −(u/E_∞²) √(u² − E_∞²) − log(−u + √(u² − E_∞²)) + log E_∞,

the number Crt_{N,k}(u) of critical points of index k with H ≤ N u satisfies (1/N) log E Crt_{N,k}(u) → Θ_{k,p}(u):

    Θ_{k,p}(u) = ½ log(p−1) − (p−2)/(4(p−1)) u² − (k+1) I_1(u)   for u ≤ −E_∞,
               = ½ log(p−1) − (p−2)/p                          for u ≥ −E_∞,

and for all indices together Θ_p(u) = ½ log(p−1) − (p−2)/(4(p−1)) u² − I_1(u) (u ≤ −E_∞), the same without I_1
on [−E_∞, 0], ½ log(p−1) for u ≥ 0. E_k is the zero of Θ_{k,p}(−E_k) = 0 (for p ≥ 3 it lies below −E_∞):
−E_0 is the ground-state energy per spin (ABČ prove lim inf min H/N ≥ −E_0 and note the agreement with the
physicists' 1RSB value), and E_0 > E_1 > … → E_∞. For p = 2 every E_k equals E_∞ = √2 (the spherical SK model's edge).
Published: p = 3, E_0 ≈ 1.657, E_∞ ≈ 1.633.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from .checks import integer


def threshold_energy(p: int) -> float:
    """E_∞ = 2√((p−1)/p)."""
    p = integer("p", p, 2)
    return 2.0 * math.sqrt((p - 1) / p)


def _i1(u: np.ndarray, e_inf: float) -> np.ndarray:
    """ABČ's I_1(u) for u ≤ −E_∞, 0 above."""
    v = np.minimum(u, -e_inf)
    root = np.sqrt(np.maximum(v * v - e_inf * e_inf, 0.0))
    return -(v / e_inf ** 2) * root - np.log(-v + root) + math.log(e_inf)


def complexity(p: int, u, k: int | None = None) -> np.ndarray:
    """Θ_{k,p}(u) (critical points of index k, H ≤ N u) or, with k None, Θ_p(u) (all indices); u per spin."""
    p = integer("p", p, 2)
    u = np.asarray(u, dtype=np.float64)
    e_inf = threshold_energy(p)
    base = 0.5 * math.log(p - 1)
    quad = (p - 2) / (4.0 * (p - 1)) * u * u
    if k is None:
        return np.where(u >= 0.0, base, base - quad - _i1(u, e_inf))
    k = integer("k", k, 0)
    return np.where(u <= -e_inf, base - quad - (k + 1) * _i1(u, e_inf), base - (p - 2) / p)


def critical_energy(p: int, k: int = 0) -> float:
    """E_k > 0: the root of Θ_{k,p}(−E_k) = 0 (scipy's brentq, bracketed below −E_∞); E_0 is the ground state."""
    p, k = integer("p", p, 2), integer("k", k, 0)
    e_inf = threshold_energy(p)
    if p == 2:
        return e_inf
    theta = lambda u: float(complexity(p, u, k))  # noqa: E731
    low = -2.0 * e_inf
    while theta(low) > 0.0:
        low *= 2.0
    return -brentq(theta, low, -e_inf, xtol=1e-15, rtol=4 * np.finfo(float).eps)


def ground_energy(p: int) -> float:
    """E_0: −E_0 is the limiting ground-state energy per spin."""
    return critical_energy(p, 0)
