"""Perceptrons with Ising weights w ∈ {±1}^N: storage capacity and learning from a teacher, RS theory beside exact
enumeration of all 2^N weight vectors.

Storage (Gardner & Derrida, J. Phys. A 21, 271 (1988); Krauth & Mézard, J. Phys. France 50, 3057 (1989)):
the RS entropy of weight vectors storing P = αN random patterns (κ = 0),
    s(α) = extr_{q, q̂} [ −q̂(1−q)/2 + ∫Dz ln 2cosh(√q̂ z) + α ∫Dt ln H(−√q t/√(1−q)) ],
    q = ∫Dz tanh²(√q̂ z),  q̂ = α/(1−q) ∫Dt [φ(u)/H(u)]²,  u = −√q t/√(1−q),
is positive for small α; Krauth & Mézard's capacity is where it vanishes, α_c ≈ 0.833 (the RS α_c = 4/π of
Gardner–Derrida's q → 1 limit is wrong since s < 0 there).

Learning (Györgyi, PRA 41, 7097 (1990); Sompolinsky, Tishby & Seung, PRL 65, 1683 (1990)): an Ising student
of an Ising teacher, Gibbs learning at T = 0. At q = R (Nishimori) the RS entropy at overlap R is
    s(R) = extr_x [ −x(1+R)/2 + ∫Dz ln 2cosh(√x z + x) ] + 2α ∫Dt H(−√(R/(1−R)) t) ln H(−√(R/(1−R)) t),
(x solving R = ∫Dz tanh(√x z + x)); s(1) = 0 is the teacher alone. The poor-generalization maximum R*(α) < 1
loses to it when s(R*) = 0: a first-order jump to perfect generalization at α ≈ 1.245.

Enumeration: random patterns (storage: labels absorbed into the patterns, ξ → yξ has the same law) or
teacher-labelled patterns; N odd so that w·ξ ≠ 0. One Numba kernel walks all 2^N weight vectors in Gray-code
order, updating the P stabilities by 2 entries per step.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.optimize import brentq, minimize_scalar, root

from ..errors import ParameterError
from ._common import DZ, Z, check_grid, check_int, check_real, gaussian_over_H, log_H, mean_and_error, \
    random_signs, trial_generator
from .teacher_student import version_space_energetic


# ---------------------------------------------------------------- storage capacity (Krauth–Mézard)


def _storage_saddle(alpha: float, guess):
    """(q, q̂) solving the RS storage equations at load α."""
    def residual(v):
        q, qh = 1.0 / (1.0 + math.exp(-v[0])), math.exp(v[1])  # 0 < q < 1, q̂ > 0
        u = -math.sqrt(q / (1.0 - q)) * Z
        return [q - DZ @ np.tanh(math.sqrt(qh) * Z) ** 2,
                math.log(qh) - math.log(alpha / (1.0 - q) * (DZ @ gaussian_over_H(u) ** 2))]
    sol = root(residual, [math.log(guess[0] / (1 - guess[0])), math.log(guess[1])], method="hybr",
               options={"xtol": 1e-13})
    if not sol.success:
        raise RuntimeError(f"storage saddle point at alpha={alpha}: {sol.message}")  # pragma: no cover
    return 1.0 / (1.0 + math.exp(-sol.x[0])), math.exp(sol.x[1])


def storage_entropy(alpha: float) -> float:
    """RS entropy per weight s(α) of Ising perceptrons storing αN random patterns (κ = 0)."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    q, qh = _storage_saddle(alpha, (0.5, 1.0))
    u = -math.sqrt(q / (1.0 - q)) * Z
    return float(-0.5 * qh * (1.0 - q) + DZ @ np.log(2.0 * np.cosh(math.sqrt(qh) * Z)) + alpha * (DZ @ log_H(u)))


def krauth_mezard_alpha_c() -> float:
    """α_c where the RS storage entropy vanishes (≈ 0.833)."""
    return brentq(storage_entropy, 0.5, 1.2, xtol=1e-12)


# ---------------------------------------------------------------- Ising teacher–student (Györgyi)


def _prior_entropy(R: float) -> float:
    """extr_x [−x(1+R)/2 + ∫Dz ln 2cosh(√x z + x)], x from R = ∫Dz tanh(√x z + x)."""
    x = brentq(lambda v: DZ @ np.tanh(math.sqrt(v) * Z + v) - R, 1e-14, 200.0, xtol=1e-14)
    a = math.sqrt(x) * Z + x
    return float(-0.5 * x * (1.0 + R) + DZ @ (np.abs(a) + np.log1p(np.exp(-2.0 * np.abs(a)))))


def ising_gibbs_entropy(R: float, alpha: float) -> float:
    """RS entropy s(R) of Ising students at overlap R with an Ising teacher (q = R); s(1) = 0."""
    return _prior_entropy(R) + version_space_energetic(R, alpha)


def _poor_branch(alpha: float) -> tuple[float, float]:
    """(R*, s(R*)) of the local maximum of s(R) below R = 1 − 1e-4 (poor generalization)."""
    res = minimize_scalar(lambda R: -ising_gibbs_entropy(R, alpha), bounds=(1e-6, 1.0 - 1e-4), method="bounded",
                          options={"xatol": 1e-10})
    return float(res.x), float(-res.fun)


def ising_gibbs_transition() -> float:
    """α where the poor-generalization state's entropy reaches 0 (≈ 1.245): beyond it Gibbs learning with Ising
    weights generalizes perfectly (first-order transition)."""
    return brentq(lambda a: _poor_branch(a)[1], 0.8, 1.45, xtol=1e-9)


def ising_gibbs_error_theory(alpha) -> np.ndarray:
    """RS Gibbs ε(α) of the Ising student: arccos(R*)/π below the transition, 0 above it."""
    alpha = check_grid("alpha", alpha, 0.0)
    a_t = ising_gibbs_transition()
    return np.array([np.arccos(_poor_branch(a)[0]) / math.pi if a < a_t else 0.0 for a in alpha])


# ---------------------------------------------------------------- exact enumeration


@njit(cache=True)
def enumerate_solutions(G, reference, stop_at_first):
    """Walk all w ∈ {±1}^N (Gray code) and count those with every stability G w > 0 (G: (P, N) int8 signed
    patterns). Returns (count, Σ R, Σ arccos(R)/π) over the solutions, R = w·reference/N; with ``stop_at_first``,
    stops at the first."""
    P, N = G.shape
    w = -np.ones(N, dtype=np.int64)
    h = np.zeros(P, dtype=np.int64)
    for mu in range(P):
        for i in range(N):
            h[mu] += G[mu, i] * w[i]
    ov = 0
    for i in range(N):
        ov += w[i] * reference[i]
    count, sum_ov, sum_eps = 0, 0.0, 0.0
    for k in range(1 << N):
        if k > 0:  # flip the bit that changes in the Gray code between k−1 and k
            i = 0
            while not (k >> i) & 1:
                i += 1
            w[i] = -w[i]
            for mu in range(P):
                h[mu] += 2 * w[i] * G[mu, i]
            ov += 2 * w[i] * reference[i]
        ok = True
        for mu in range(P):
            if h[mu] <= 0:
                ok = False
                break
        if ok:
            count += 1
            sum_ov += ov / N
            sum_eps += math.acos(min(1.0, max(-1.0, ov / N))) / math.pi
            if stop_at_first:
                break
    return count, sum_ov, sum_eps


def _check_odd_n(N):
    N = check_int("N", N, 3)
    if N % 2 == 0 or N > 31:
        raise ParameterError("N", N, "an odd integer in [3, 31] (ties w·ξ = 0 excluded; 2^N states enumerated)")
    return N


def storable_trials(N: int, P: int, seed, point: int, trials) -> np.ndarray:
    """Per trial index: does some w ∈ {±1}^N store P random patterns (random labels absorbed)?"""
    N, P = _check_odd_n(N), check_int("P", P, 1)
    ref = np.ones(N, dtype=np.int8)
    return np.array([enumerate_solutions(random_signs(trial_generator(seed, point, t), (P, N)), ref, True)[0] > 0
                     for t in trials])


def storable_fraction(N: int, alpha, trials: int, seed) -> dict[str, np.ndarray | float]:
    """``alpha``, ``separable_fraction`` (+ ``_error``) of Ising perceptrons by enumeration (P = round(αN)),
    scalar ``alpha_c_theory`` = Krauth–Mézard's."""
    alpha = check_grid("alpha", alpha, 0.0)
    trials = check_int("trials", trials, 1)
    s = np.array([storable_trials(N, max(1, round(a * N)), seed, i, range(trials)) for i, a in enumerate(alpha)])
    mean, err = mean_and_error(s)
    return {"alpha": alpha, "separable_fraction": mean, "separable_fraction_error": err,
            "alpha_c_theory": krauth_mezard_alpha_c()}


def teacher_trial(N: int, alpha: float, seed, point: int, trial: int) -> tuple[np.ndarray, np.ndarray]:
    """(stabilities y_μ x_μ as int8 (P, N) with P = max(1, round(α N)), teacher): trial ``trial``'s random ±1
    teacher and random ±1 inputs labelled by it, from the trial's own stream."""
    gen = trial_generator(seed, point, trial)
    teacher = random_signs(gen, N)
    X = random_signs(gen, (max(1, round(alpha * N)), N))
    y = np.sign(X.astype(np.int64) @ teacher).astype(np.int8)
    return y[:, None] * X, teacher


def ising_gibbs_trials(N: int, alpha: float, seed, point: int, trials) -> tuple[np.ndarray, np.ndarray]:
    """Per trial index: (Gibbs ε = version-space average of arccos(R)/π, exact; is the teacher the only solution).
    The teacher is random ±1; the inputs random ±1, labelled by it."""
    N = _check_odd_n(N)
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    eps, unique = np.empty(len(trials)), np.empty(len(trials), dtype=bool)
    for k, t in enumerate(trials):
        count, _, sum_eps = enumerate_solutions(*teacher_trial(N, alpha, seed, point, t), False)
        eps[k] = sum_eps / count
        unique[k] = count == 1
    return eps, unique
