"""Critical temperature from Binder-cumulant crossings (Binder, Z. Phys. B 43, 119 (1981)).

U_L(T) = 1 − ⟨m⁴⟩/(3⟨m²⟩²) is scale-invariant at T_c up to corrections to scaling, so the curves of two sizes
cross near T_c. For each pair of sizes the difference d(T) = U_a(T) − U_b(T) is fitted by a weighted polynomial of
``degree`` on the ``window`` grid points around its sign change; its root in the bracketing interval is the crossing. Errors come from a parametric
bootstrap: every U_L(T) is an independent run, so each replicate redraws all of them from N(U, σ²) and repeats the
whole estimate. Pair crossings drift towards T_c as the sizes grow (corrections to scaling ∝ L^(−ω)); the estimate
reported as T_c is the crossing of the two largest sizes, and the drift of the others shows how large the
corrections still are.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .stats import Estimate


@dataclass(frozen=True)
class Crossings:
    pairs: dict[tuple[int, int], Estimate]   # (L_a, L_b) -> crossing temperature
    tc: Estimate                             # the crossing of the two largest sizes


def _root(T: np.ndarray, d: np.ndarray, w: np.ndarray, window: int, degree: int) -> float:
    """Root of a weighted polynomial fit of d(T) around its first sign change (nan if there is none)."""
    sign = np.sign(d)
    change = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    if len(change) == 0:
        return math.nan
    k = int(change[np.argmin(np.abs(change - len(T) / 2))])  # the sign change nearest the middle of the scan
    lo = max(0, k + 1 - window // 2)
    hi = min(len(T), lo + window)
    lo = max(0, hi - window)
    t0 = 0.5 * (T[k] + T[k + 1])
    coeffs = np.polyfit(T[lo:hi] - t0, d[lo:hi], min(degree, hi - lo - 1), w=w[lo:hi])
    roots = np.roots(coeffs)
    roots = roots[np.isreal(roots)].real
    inside = roots[np.abs(roots) <= T[k + 1] - T[k]]  # the root within the bracketing interval (± one step)
    return t0 + inside[np.argmin(np.abs(inside))] if len(inside) else math.nan


def binder_crossings(T, sizes, U, U_err, window: int = 6, degree: int = 3, n_boot: int = 2000,
                     seed: int = 0) -> Crossings:
    """Crossing temperatures of U_L(T) for every pair of ``sizes``; ``U``, ``U_err`` have shape (len(sizes), len(T))."""
    T = np.asarray(T, float)
    U, U_err = np.asarray(U, float), np.asarray(U_err, float)
    if U.shape != (len(sizes), len(T)) or U_err.shape != U.shape:
        raise ValueError("U and U_err must have shape (len(sizes), len(T))")
    pairs = list(itertools.combinations(range(len(sizes)), 2))
    rng = np.random.default_rng(seed)

    def estimate(u):
        return np.array([_root(T, u[a] - u[b], 1.0 / np.hypot(U_err[a], U_err[b]), window, degree) for a, b in pairs])

    central = estimate(U)
    boot = np.array([estimate(U + U_err * rng.standard_normal(U.shape)) for _ in range(n_boot)])
    errors = np.nanstd(boot, axis=0, ddof=1)
    result = {(int(sizes[a]), int(sizes[b])): Estimate(float(c), float(e), math.nan, n_boot)
              for (a, b), c, e in zip(pairs, central, errors)}
    largest = tuple(int(v) for v in sorted(sizes)[-2:])
    return Crossings(result, result[largest])
