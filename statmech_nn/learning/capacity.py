"""Storage capacity of the spherical perceptron: Cover's counting, Gardner's α_c(κ), and exact separability tests.

P patterns x^μ ∈ {±1}^N with random labels y^μ = ±1 are *separable* (no bias) if some w has y^μ w·x^μ > 0 for
all μ; with margin κ ≥ 0 if some w with |w|² = N has stabilities Δ_μ = y^μ w·x^μ/√N ≥ κ for all μ.

* Cover (IEEE Trans. Electron. Comput. 14, 326 (1965)): of the 2^P dichotomies of P points in general position in
  R^N, C(P, N) = 2 Σ_{k<N} binom(P−1, k) are linearly separable by a hyperplane through the origin; the separable
  fraction C/2^P is exactly 1/2 at P = 2N.
* Gardner (J. Phys. A 21, 257 (1988)): α_c(κ) = 1/∫_{−κ}^∞ Dt (t+κ)² = 1/[(1+κ²)Φ(κ) + κφ(κ)]; α_c(0) = 2.

Simulation: κ = 0 is decided exactly as LP feasibility of {w : y^μ w·x^μ ≥ 1} (scipy HiGHS); κ > 0 by the
optimal stability κ_max = max_w min_μ Δ_μ, which is the quadratic program min |w|² s.t. y^μ w·x^μ ≥ 1
(κ_max = √N/|w*|), solved exactly as Lawson & Hanson's least-distance program via one NNLS problem
("Solving Least Squares Problems", 1974, ch. 23). Random ±1 patterns are not in general position
at finite N, which makes the measured fraction slightly lower than Cover's count.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog, nnls
from scipy.special import ndtr

from ..errors import ParameterError
from ._common import check_grid, check_int, check_real, mean_and_error, random_signs, trial_generator

SEPARABILITY_TOL = 1e-9  # LP margin t* counted as positive (a separable ±1 set has t* ≫ 1e-6 in practice)


def cover_count(P: int, N: int) -> int:
    """C(P, N) = 2 Σ_{k=0}^{N−1} binom(P−1, k): dichotomies of P points in general position in R^N separable by
    a hyperplane through the origin (exact integer)."""
    P, N = check_int("P", P, 1), check_int("N", N, 1)
    return 2 * sum(math.comb(P - 1, k) for k in range(N))


def cover_fraction(P: int, N: int) -> float:
    """C(P, N)/2^P, the probability that random labels on P points in general position are separable."""
    return float(Fraction(cover_count(P, N), 2**P))


def gardner_alpha_c(kappa: float = 0.0) -> float:
    """Gardner's capacity α_c(κ) = 1/∫_{−κ}^∞ Dt (t+κ)² of the spherical perceptron at margin κ ≥ 0."""
    k = check_real("kappa", kappa, 0.0)
    integral = (1.0 + k * k) * ndtr(k) + k * math.exp(-0.5 * k * k) / math.sqrt(2.0 * math.pi)
    return 1.0 / integral


def _signed_patterns(X, y) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ParameterError("X", getattr(X, "shape", X), "a (P, N) array with P, N ≥ 1")
    y = np.asarray(y, dtype=float)
    if y.shape != (X.shape[0],) or not np.all(np.abs(y) == 1):
        raise ParameterError("y", y, f"{X.shape[0]} labels, each ±1")
    return y[:, None] * X


def is_separable(X, y) -> bool:
    """Exact linear separability (no bias) as a bounded, always-feasible LP (HiGHS):
    t* = max t s.t. y^μ w·x^μ ≥ t ∀μ, |w_i| ≤ 1, t ≤ 1; separable iff t* > 0."""
    G = _signed_patterns(X, y)
    P, N = G.shape
    c = np.zeros(N + 1)
    c[N] = -1.0
    A = np.hstack([-G, np.ones((P, 1))])
    res = linprog(c, A_ub=A, b_ub=np.zeros(P), bounds=[(-1.0, 1.0)] * N + [(None, 1.0)], method="highs")
    if res.status != 0:  # pragma: no cover - the LP is feasible and bounded by construction
        raise RuntimeError(f"linprog failed: {res.message}")
    return -res.fun > SEPARABILITY_TOL


def optimal_stability(X, y) -> tuple[float, np.ndarray | None]:
    """(κ_max, w*) with κ_max = max_{|w|²=N} min_μ y^μ w·x^μ/√N, w* normalised to |w*|² = N; (−inf, None) if the
    set is not separable. Exact least-distance program min |w|² s.t. G w ≥ 1 (G = y x) via one NNLS:
    u = argmin_{u≥0} |E u − f|, E = [Gᵀ; 1ᵀ], f = e_{N+1}; r = E u − f = 0 means infeasible,
    else w = −r_{1..N}/r_{N+1}."""
    G = _signed_patterns(X, y)
    P, N = G.shape
    E = np.vstack([G.T, np.ones((1, P))])
    f = np.zeros(N + 1)
    f[N] = 1.0
    u, _ = nnls(E, f, maxiter=50 * (P + N))
    r = E @ u - f
    if abs(r[N]) < 1e-10:
        return -math.inf, None
    w = -r[:N] / r[N]
    norm = float(np.linalg.norm(w))
    w *= math.sqrt(N) / norm
    return float(np.min(G @ w) / math.sqrt(N)), w


def separability_trials(N: int, P: int, seed, point: int, trials, kappa: float = 0.0) -> np.ndarray:
    """Separable (bool) for each trial index in ``trials`` at grid point ``point``: random ±1 patterns (P, N) and
    labels from ``seed_sequence(seed, point, trial)``; κ = 0 by LP, κ > 0 by the optimal stability ≥ κ."""
    N, P = check_int("N", N, 2), check_int("P", P, 1)
    kappa = check_real("kappa", kappa, 0.0)
    out = np.empty(len(trials), dtype=bool)
    for i, t in enumerate(trials):
        gen = trial_generator(seed, point, t)
        X, y = random_signs(gen, (P, N)), random_signs(gen, P)
        out[i] = is_separable(X, y) if kappa == 0.0 else optimal_stability(X, y)[0] >= kappa
    return out


def separable_fraction_theory(N: int, alpha, kappa: float = 0.0) -> np.ndarray:
    """κ = 0: Cover's C(P, N)/2^P at P = round(αN); κ > 0: the N → ∞ step θ(α_c(κ) − α) (no finite-N formula)."""
    N = check_int("N", N, 2)
    alpha = check_grid("alpha", alpha, 0.0)
    if check_real("kappa", kappa, 0.0) == 0.0:
        return np.array([cover_fraction(max(1, round(a * N)), N) for a in alpha])
    return (alpha < gardner_alpha_c(kappa)).astype(float)


def capacity_curve(N: int, alpha, trials: int, seed, kappa: float = 0.0) -> dict[str, np.ndarray | float]:
    """The capacity study's arrays: ``alpha``, ``separable_fraction`` (simulation, mean over ``trials``),
    ``separable_fraction_error`` (standard error), ``separable_fraction_theory`` and scalar ``alpha_c_theory``
    = α_c(κ). Point i uses P = round(α_i N) patterns and streams keyed (i, trial)."""
    alpha = check_grid("alpha", alpha, 0.0)
    trials = check_int("trials", trials, 1)
    samples = np.array([separability_trials(N, max(1, round(a * N)), seed, i, range(trials), kappa)
                        for i, a in enumerate(alpha)])
    mean, err = mean_and_error(samples)
    return {"alpha": alpha, "separable_fraction": mean, "separable_fraction_error": err,
            "separable_fraction_theory": separable_fraction_theory(N, alpha, kappa),
            "alpha_c_theory": gardner_alpha_c(kappa)}
