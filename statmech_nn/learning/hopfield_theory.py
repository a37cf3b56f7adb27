"""Replica-symmetric theory of the Hopfield network (Amit, Gutfreund & Sompolinsky, PRL 55, 1530 (1985);
Ann. Phys. 173, 30 (1987)).

RS saddle point at load α and temperature T = 1/β (one condensed pattern, Mattis overlap m):
    m = ∫Dz tanh β(m + √(αr) z),   q = ∫Dz tanh² β(m + √(αr) z),   r = q/[1 − β(1 − q)]².
At T = 0 (C = β(1−q) finite) with y = m/√(2αr) this reduces to one equation,
    √(2α) = erf(y)/y − (2/√π) e^{−y²},   m = erf(y),
whose right side has a maximum: the retrieval solution exists for α ≤ α_c = max_y (…)²/2 ≈ 0.138, where
m_c = erf(y_c) ≈ 0.967. Phase boundaries: T_g(α) = 1 + √α (paramagnet → spin glass), and the retrieval
spinodal α_M(T) (retrieval states cease to exist), found as the fold of the RS equations — the RS equations
plus det ∂(F_m, F_C)/∂(m, C) = 0 (C = β(1−q)), solved for (m, C, α) by Powell's hybrid root finding,
continued in T.
The line T_c(α) where retrieval states become global minima (α_c1(T) read the other way; α_c1(0) ≈ 0.052,
AGS quote ≈ 0.05) is where the RS free energy of the retrieval state equals that of the spin-glass state (m = 0),
    f = m²/2 + α/2 + (αT/2) ln(1−C) − (α/2) q/(1−C) + (α/2) r C − T ∫Dz ln 2cosh β(m + √(αr) z),
which is −m²/2 + T-terms of Curie–Weiss at α = 0 and at T = 0 has ⟨|m + √(αr) z|⟩ in place of the last term.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, minimize_scalar, root
from scipy.special import erf

from ._common import DZ, Z, check_grid, check_real

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
CONTINUATION_STEP = 0.01  # step in T between fold solutions (0.04 loses the branch near T = 0.25)
T_MIN_SPINODAL, T_MAX_SPINODAL = 0.02, 0.8


def _sqrt_two_alpha(y):
    """√(2α) as a function of y = m/√(2αr) on the T = 0 retrieval branch."""
    return erf(y) / y - _TWO_OVER_SQRT_PI * np.exp(-y * y)


def _critical_y() -> float:
    res = minimize_scalar(lambda y: -_sqrt_two_alpha(y), bounds=(0.5, 3.0), method="bounded",
                          options={"xatol": 1e-12})
    return float(res.x)


def ags_critical() -> tuple[float, float]:
    """(α_c, m_c) at T = 0: the maximum of α(y) = [erf(y)/y − (2/√π)e^{−y²}]²/2 and m_c = erf(y_c)."""
    y_c = _critical_y()
    return float(_sqrt_two_alpha(y_c) ** 2 / 2.0), float(erf(y_c))


def _zero_temperature_y(alpha: float) -> float:
    """y = m/√(2αr) of the T = 0 retrieval state: the root y ≥ y_c of √(2α) = erf(y)/y − (2/√π)e^{−y²}
    (y_c for α ≥ α_c)."""
    y_c = _critical_y()
    target = math.sqrt(2.0 * alpha)
    if target >= _sqrt_two_alpha(y_c):
        return y_c
    hi = 2.0 * y_c
    while _sqrt_two_alpha(hi) > target:
        hi *= 2.0
    return brentq(lambda v: _sqrt_two_alpha(v) - target, y_c, hi, xtol=1e-14)


def zero_temperature_overlap(alpha: float) -> float:
    """Retrieval-state m = erf(y) at T = 0; 0 for α > α_c (no retrieval state)."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    return 0.0 if alpha > ags_critical()[0] else float(erf(_zero_temperature_y(alpha)))


def rs_residual(m: float, C: float, alpha: float, T: float) -> np.ndarray:
    """Residuals of the finite-T RS equations in the variables (m, C = β(1 − q)), well conditioned as T → 0:
    (m − ⟨tanh⟩, C − β⟨1 − tanh²⟩), ⟨·⟩ = ∫Dz of β(m + √(αr) z), r = q/(1 − C)², q = 1 − C T."""
    beta = 1.0 / T
    q = 1.0 - C * T
    r = max(q, 0.0) / (1.0 - C) ** 2
    th = np.tanh(beta * (m + math.sqrt(alpha * r) * Z))
    return np.array([m - DZ @ th, C - beta * (DZ @ (1.0 - th * th))])


def _zero_temperature_C(alpha: float) -> float:
    """C = β(1 − q) of the T = 0 retrieval state, (2y/(√π m)) e^{−y²} (its α_c value beyond α_c)."""
    y = _zero_temperature_y(alpha)
    return _TWO_OVER_SQRT_PI * y / float(erf(y)) * math.exp(-y * y)


def retrieval_state(alpha: float, T: float) -> tuple[float, float] | None:
    """(m, q) of the RS retrieval state at (α, T > 0) by root finding from the T = 0 retrieval state; None if the
    root found is not a retrieval state (m < 0.05), i.e. beyond the spinodal."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    T = check_real("T", T, 0.0, inclusive=False)
    guess = [1.0, _zero_temperature_C(alpha)]
    sol = root(lambda v: rs_residual(v[0], v[1], alpha, T), guess, method="hybr", options={"xtol": 1e-12})
    m, C = sol.x
    if not sol.success or m < 0.05 or not -1e-12 <= C * T < 1.0 or np.max(np.abs(sol.fun)) > 1e-9:
        return None
    return float(m), float(1.0 - C * T)


def retrieval_overlap(alpha: float, T: float = 0.0) -> float:
    """AGS retrieval-state Mattis overlap m(α, T); 0 where no retrieval state exists."""
    T = check_real("T", T, 0.0)
    if T == 0.0:
        return zero_temperature_overlap(alpha)
    state = retrieval_state(alpha, T)
    return 0.0 if state is None else state[0]


def spin_glass_temperature(alpha) -> np.ndarray:
    """T_g(α) = 1 + √α, below which the RS spin-glass solution (q > 0) appears."""
    return 1.0 + np.sqrt(check_grid("alpha", alpha, 0.0, inclusive=True))


def _fold_system(v, T, h=1e-6):
    m, C, alpha = v
    F = rs_residual(m, C, alpha, T)
    dm = (rs_residual(m + h, C, alpha, T) - rs_residual(m - h, C, alpha, T)) / (2 * h)
    dq = (rs_residual(m, C + h, alpha, T) - rs_residual(m, C - h, alpha, T)) / (2 * h)
    return np.array([F[0], F[1], dm[0] * dq[1] - dm[1] * dq[0]])


def retrieval_spinodal(T) -> np.ndarray:
    """α_M(T): the largest load at which a retrieval state exists at temperature T (the line T_M(α) read the other
    way) for T in [0.02, 0.8]; NaN where the continuation lost the branch. The fold is followed from T = 0.02
    (guess: the T = 0 critical state) in steps of ``CONTINUATION_STEP``; α_M → α_c as T → 0 and → 0 as T → 1."""
    T = check_grid("T", T, T_MIN_SPINODAL, inclusive=True, high=T_MAX_SPINODAL)
    alpha_c, m_c = ags_critical()
    guess = np.array([m_c, _zero_temperature_C(alpha_c), alpha_c])
    path_T = np.arange(T_MIN_SPINODAL, T.max() + CONTINUATION_STEP, CONTINUATION_STEP)
    path = np.full((len(path_T), 3), np.nan)
    for k, t in enumerate(path_T):
        sol = root(_fold_system, guess, args=(t,), method="hybr", options={"xtol": 1e-11})
        if not sol.success or sol.x[0] < 0.05:
            break
        path[k] = guess = sol.x
    out = np.full(len(T), np.nan)
    for k, t in enumerate(T):  # solve at t itself from the last path point below it
        j = int(np.searchsorted(path_T, t + 1e-12)) - 1
        if np.isfinite(path[j, 0]):
            sol = root(_fold_system, path[j], args=(t,), method="hybr", options={"xtol": 1e-11})
            if sol.success and sol.x[0] >= 0.05:
                out[k] = sol.x[2]
    return out


def rs_free_energy(m: float, C: float, alpha: float, T: float) -> float:
    """RS free energy per spin of a state (m, C = β(1−q)) at (α, T); T = 0 uses ⟨|m + √(αr) z|⟩ in closed form."""
    q = 1.0 - C * T
    r = q / (1.0 - C) ** 2
    sigma = math.sqrt(alpha * r)
    f = 0.5 * m * m + 0.5 * alpha - 0.5 * alpha * q / (1.0 - C) + 0.5 * alpha * r * C
    if T == 0.0:
        return f - (m * erf(m / (sigma * math.sqrt(2.0)))
                    + sigma * math.sqrt(2.0 / math.pi) * math.exp(-m * m / (2.0 * sigma * sigma)))
    a = np.abs(m + sigma * Z) / T
    return f + 0.5 * alpha * T * math.log(1.0 - C) - T * float(DZ @ (a + np.log1p(np.exp(-2.0 * a))))


def spin_glass_C(alpha: float, T: float) -> float:
    """C = β(1−q) of the RS spin-glass state (m = 0) for T < 1 (< T_g); at T = 0, C = s/(1+s), s = √(2/(πα))."""
    s = math.sqrt(2.0 / (math.pi * alpha))
    if T == 0.0:
        return s / (1.0 + s)
    # C − β⟨1 − tanh²⟩ runs from < 0 (C → 0, q → 1) to > 0 (C → 1, r → ∞) for T < 1: bracketed root
    return brentq(lambda c: rs_residual(0.0, c, alpha, T)[1], 1e-12, 1.0 - 1e-9, xtol=1e-14)


def retrieval_minus_spin_glass(alpha: float, T: float) -> float:
    """f(retrieval) − f(spin glass) at (α, T); negative where retrieval states are the global minima.
    NaN where no retrieval state exists."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    T = check_real("T", T, 0.0, high=T_MAX_SPINODAL)
    if T == 0.0:
        if alpha > ags_critical()[0]:
            return math.nan
        m, C = zero_temperature_overlap(alpha), _zero_temperature_C(alpha)
    else:
        state = retrieval_state(alpha, T)
        if state is None:
            return math.nan
        m, C = state[0], (1.0 - state[1]) / T
    return rs_free_energy(m, C, alpha, T) - rs_free_energy(0.0, spin_glass_C(alpha, T), alpha, T)


def global_retrieval_load(T: float = 0.0) -> float:
    """α_c1(T): the load below which retrieval states are the global minima of the RS free energy (the line
    T_c(α)); ≈ 0.052 at T = 0."""
    T = check_real("T", T, 0.0, high=T_MAX_SPINODAL)
    a_max = ags_critical()[0] if T == 0.0 else 0.999 * float(retrieval_spinodal([max(T, T_MIN_SPINODAL)])[0])
    return brentq(lambda a: retrieval_minus_spin_glass(a, T), 1e-3, a_max, xtol=1e-10)
