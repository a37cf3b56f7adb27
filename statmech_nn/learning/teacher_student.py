"""Teacher–student perceptron: replica-symmetric learning curves and finite-N simulations.

A spherical teacher B (|B|² = N) labels P = αN Gaussian inputs ξ^μ ~ N(0, I_N) with σ^μ = sign(B·ξ^μ); a student
J with overlap R = J·B/(|J||B|) errs on a fresh input with probability ε = arccos(R)/π (exact for Gaussian inputs).
Theory (Engel & Van den Broeck, "Statistical Mechanics of Learning", CUP 2001, ch. 2–3; Seung, Sompolinsky &
Tishby, PRA 45, 6056 (1992)), with H(x) = ∫_x^∞ Dt:

* Gibbs learning (uniform student in the version space, T = 0): q = R and
      s(R) = ½ ln(1−R) + R/2 + 2α ∫Dt H(−√(R/(1−R)) t) ln H(−√(R/(1−R)) t)   is maximal, i.e.
      R/√(1−R) = (α/π) ∫Dt e^{−R t²/2} / H(−√R t);          α ε → 0.6245… as α → ∞.
* Bayes-optimal (centre of mass of the version space): R_B = √R_Gibbs;     α ε → 0.4417….
  The centroid of K independent Gibbs students has R_K = R/√(R + (1−R)/K) (their mutual overlap is q = R).
* Hebb, J = Σ_μ σ^μ ξ^μ: R = √(2α/(π + 2α)) (closed form), ε ~ 1/√(2πα).
* Gibbs learning at training temperature T = 1/β (energy = number of training errors; Engel & Van den Broeck
  ch. 4): (q, R) is the stationary point of
      g(q, R) = ½ ln(1−q) + (q−R²)/(2(1−q)) + 2α ∫Dt H(−R t/√(q−R²)) ln[e^{−β} + (1−e^{−β}) H(−√(q/(1−q)) t)],
  which reduces to q = R and the Gibbs equation above as T → 0.

Simulation: Hebb directly; Gibbs students by elliptical slice sampling (Murray, Adams & MacKay, AISTATS 2010)
of the Gaussian prior J ~ N(0, I) times the likelihood exp(−β · #training errors) — T = 1/β = 0 is the version
space (an indicator likelihood), T > 0 Gibbs learning at training temperature T. Each student is an
independent chain keyed (point, trial, 1 + k), started at the maximal-stability student: an interior point of
the version space but near its centre, so the chains need ~40·N updates to forget it (default run: 80·N).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit
from scipy.optimize import brentq, root

from ..errors import ParameterError
from ..rng import next_double, seed_sequence, xoshiro256_state
from ._common import DZ, Z, H, check_grid, check_int, check_real, gaussian_over_H, log_H, mean_and_error, \
    trial_generator

RULES = ("gibbs", "bayes", "hebb")
# the chain started at the maximal-stability student relaxes in ~40·N updates (N = 50, α = 2: ε within 0.003 of
# its plateau after 2000); the default run length is twice that
STEPS_PER_N = 80
T_STEP = 0.05  # continuation step in the training temperature


def error_from_overlap(R):
    """ε = arccos(R)/π."""
    return np.arccos(np.clip(R, -1.0, 1.0)) / math.pi


def version_space_energetic(R: float, alpha: float) -> float:
    """2α ∫Dt f(ct), f(u) = H(−u) ln H(−u), c = √(R/(1−R)): the version-space volume term shared by spherical and
    Ising students at q = R. f decays like a Gaussian on both sides, so for c > 1 the rule runs over u = ct
    (∫Dt f(ct) = ∫du φ(u/c) f(u)/c), which stays accurate as R → 1 where the integrand narrows to width 1/c."""
    c = math.sqrt(R / (1.0 - R))
    if c <= 1.0:
        lh = log_H(-c * Z)
        return 2.0 * alpha * float(DZ @ (np.exp(lh) * lh))
    lh = log_H(-Z)
    weight = np.exp(-0.5 * (Z / c) ** 2 + 0.5 * Z**2) / c  # DZ at t = u/c, rescaled from DZ at u
    return 2.0 * alpha * float(DZ @ (weight * np.exp(lh) * lh))


def gibbs_entropy(R: float, alpha: float) -> float:
    """RS entropy of the spherical Gibbs student at overlap R (maximised by the Gibbs R)."""
    return 0.5 * math.log1p(-R) + 0.5 * R + version_space_energetic(R, alpha)


def gibbs_overlap(alpha: float) -> float:
    """R of Gibbs learning: root of R/√(1−R) = (α/π) ∫Dt e^{−R t²/2}/H(−√R t)."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)

    def residual(R):
        # e^{−R t²/2}/H(−√R t) = √(2π) φ(√R t)/H(−√R t)
        integral = math.sqrt(2.0 * math.pi) * float(DZ @ gaussian_over_H(-math.sqrt(R) * Z))
        return R / math.sqrt(1.0 - R) - alpha / math.pi * integral

    return brentq(residual, 1e-14, 1.0 - 1e-15, xtol=1e-15, rtol=1e-14)


def hebb_overlap(alpha: float) -> float:
    """R = √(2α/(π + 2α)) of the Hebbian student."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    return math.sqrt(2.0 * alpha / (math.pi + 2.0 * alpha))


def centroid_overlap(alpha: float, n_students: int | None = None) -> float:
    """R of the centre of mass of ``n_students`` independent Gibbs students, R/√(R + (1−R)/K);
    the Bayes-optimal √R_Gibbs for ``n_students=None`` (K → ∞)."""
    R = gibbs_overlap(alpha)
    if n_students is None:
        return math.sqrt(R)
    K = check_int("n_students", n_students, 1)
    return R / math.sqrt(R + (1.0 - R) / K)


def _temperature_action(q: float, R: float, alpha: float, beta: float) -> float:
    """g(q, R) of Gibbs learning at inverse training temperature β (module docstring)."""
    e = math.exp(-beta)
    inner = np.log(e + (1.0 - e) * H(-math.sqrt(q / (1.0 - q)) * Z))
    weight = H(-R / math.sqrt(q - R * R) * Z)
    return 0.5 * math.log1p(-q) + (q - R * R) / (2.0 * (1.0 - q)) + 2.0 * alpha * float(DZ @ (weight * inner))


def gibbs_temperature_state(alpha: float, T: float) -> tuple[float, float]:
    """(q, R) of Gibbs learning at training temperature T (T = 0: q = R = the Gibbs overlap): the stationary
    point of g(q, R) by root finding on its central-difference gradient, continued from T = 0 in steps of at most
    ``T_STEP`` (the first solve starts at (0.9 R_0, 0.9 R_0), each next one at the previous solution)."""
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    T = check_real("T", T, 0.0)
    R0 = gibbs_overlap(alpha)
    if T == 0.0:
        return R0, R0
    # unconstrained coordinates q = 1/(1 + e^{−u}), R = √q tanh v keep 0 < R² < q < 1; the map is a
    # diffeomorphism, so the stationary points in (u, v) are those in (q, R)
    def coords(v):
        q = 1.0 / (1.0 + math.exp(-v[0]))
        return q, math.sqrt(q) * math.tanh(v[1])

    x = np.array([math.log(0.9 * R0 / (1.0 - 0.9 * R0)), math.atanh(math.sqrt(0.9 * R0))])
    h = 1e-6
    for t in np.linspace(0.0, T, max(1, math.ceil(T / T_STEP)) + 1)[1:]:
        beta = 1.0 / t

        def gradient(v):
            f = lambda w: _temperature_action(*coords(w), alpha, beta)  # noqa: E731
            return [(f(v + (h, 0.0)) - f(v - (h, 0.0))) / (2 * h), (f(v + (0.0, h)) - f(v - (0.0, h))) / (2 * h)]

        sol = root(gradient, x, method="hybr", options={"xtol": 1e-10})
        # the finite-difference gradient is noisy at ~1e-10, so judge the root by its residual, not sol.success
        if np.max(np.abs(sol.fun)) > 1e-7:  # pragma: no cover - a failed solve, not a result
            raise RuntimeError(f"finite-temperature Gibbs saddle point at alpha={alpha}, T={t}: {sol.message}")
        x = sol.x
    q, R = coords(x)
    return float(q), float(R)


def generalization_error_theory(alpha, rule: str, n_students: int | None = None, T: float = 0.0) -> np.ndarray:
    """RS ε(α) for ``rule`` in ('gibbs', 'bayes', 'hebb'); 'bayes' with ``n_students`` = K gives the K-student
    centroid (K → ∞ is Bayes-optimal); T > 0 (training temperature) is provided for 'gibbs' ('hebb' ignores it)."""
    alpha = check_grid("alpha", alpha, 0.0)
    if rule not in RULES:
        raise ParameterError("rule", rule, f"one of {RULES}")
    T = check_real("T", T, 0.0)
    if T > 0.0 and rule == "bayes":
        raise ParameterError("T", T, "0 for rule 'bayes' (its finite-temperature theory is not provided)")
    R = {"gibbs": lambda a: gibbs_temperature_state(a, T)[1], "hebb": hebb_overlap,
         "bayes": lambda a: centroid_overlap(a, n_students)}[rule]
    return np.array([error_from_overlap(R(a)) for a in alpha])


# ---------------------------------------------------------------- simulation


def trial_data(N: int, alpha: float, seed, point: int, trial: int):
    """(teacher B with |B|² = N, inputs ξ (P, N) Gaussian, labels σ = sign(B·ξ)) of one trial."""
    N = check_int("N", N, 2)
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    gen = trial_generator(seed, point, trial)
    B = gen.standard_normal(N)
    B *= math.sqrt(N) / np.linalg.norm(B)
    X = gen.standard_normal((max(1, round(alpha * N)), N))
    return B, X, np.where(X @ B >= 0.0, 1.0, -1.0)


def overlap(J, B) -> float:
    return float(J @ B / (np.linalg.norm(J) * np.linalg.norm(B)))


def hebb_trials(N: int, alpha: float, seed, point: int, trials) -> np.ndarray:
    """ε of the Hebbian student J = Σ σ^μ ξ^μ, one per trial index."""
    out = np.empty(len(trials))
    for k, t in enumerate(trials):
        B, X, y = trial_data(N, alpha, seed, point, t)
        out[k] = error_from_overlap(overlap(y @ X, B))
    return out


@njit(cache=True)
def _normal(rng):
    """A standard normal deviate (Box–Muller, one per call)."""
    u = 1.0 - next_double(rng)
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * next_double(rng))


@njit(cache=True)
def _errors(a, b, c, s):
    """Training errors of J cos + ν sin, with a = G J, b = G ν (G = σ ξ): #{μ : c a_μ + s b_μ ≤ 0}."""
    n = 0
    for mu in range(a.shape[0]):
        if c * a[mu] + s * b[mu] <= 0.0:
            n += 1
    return n


@njit(cache=True)
def slice_move(J, fields, nu, b, rng, beta):
    """One elliptical-slice move of J towards the prior draw ν (b = G ν): the angle θ is shrunk until the training
    errors of J cos θ + ν sin θ pass the slice level; J and ``fields`` = G J are updated in place."""
    e0 = _errors(fields, b, 1.0, 0.0)
    # slice level: accept θ iff −β e(θ) ≥ −β e0 + ln u  ⇔  e(θ) ≤ e0 − ln u / β
    u = 1.0 - next_double(rng)
    level = e0 - math.log(u) / beta if beta < np.inf else e0 + 0.0
    theta = 2.0 * math.pi * next_double(rng)
    lo, hi = theta - 2.0 * math.pi, theta
    while True:
        c, s = math.cos(theta), math.sin(theta)
        if _errors(fields, b, c, s) <= level:
            break
        if theta < 0.0:
            lo = theta
        else:
            hi = theta
        theta = lo + (hi - lo) * next_double(rng)
    for i in range(J.shape[0]):
        J[i] = c * J[i] + s * nu[i]
    for mu in range(fields.shape[0]):
        fields[mu] = c * fields[mu] + s * b[mu]


@njit(cache=True)
def elliptical_slice_steps(G, J, fields, rng, beta, n_steps):
    """``n_steps`` elliptical-slice updates of J under prior N(0, I) and likelihood exp(−β · #errors), errors
    counted on ``fields`` = G J (kept current; G = σ ξ, shape (P, N)). β = np.inf samples the version space."""
    P, N = G.shape
    nu = np.empty(N)
    b = np.empty(P)
    for step in range(n_steps):
        for i in range(N):
            nu[i] = _normal(rng)
        for mu in range(P):
            acc = 0.0
            for i in range(N):
                acc += G[mu, i] * nu[i]
            b[mu] = acc
        slice_move(J, fields, nu, b, rng, beta)
    return n_steps


def gibbs_students(N: int, alpha: float, seed, point: int, trial: int, n_students: int = 4, T: float = 0.0,
                   steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(B, students (K, N)): ``n_students`` = K independent Gibbs students of one trial after ``steps``
    elliptical-slice updates each (default ``STEPS_PER_N``·N), started at the maximal-stability student."""
    from .capacity import optimal_stability

    K = check_int("n_students", n_students, 1)
    T = check_real("T", T, 0.0)
    steps = STEPS_PER_N * N if steps is None else check_int("steps", steps, 1)
    B, X, y = trial_data(N, alpha, seed, point, trial)
    G = np.ascontiguousarray(y[:, None] * X)
    _, J0 = optimal_stability(X, y)
    beta = np.inf if T == 0.0 else 1.0 / T
    students = np.empty((K, N))
    for k in range(K):
        J = J0.copy()
        fields = G @ J
        elliptical_slice_steps(G, J, fields, xoshiro256_state(seed_sequence(seed, point, trial, 1 + k)), beta,
                               steps)
        students[k] = J
    return B, students


def gibbs_trials(N: int, alpha: float, seed, point: int, trials, n_students: int = 4, T: float = 0.0,
                 steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per trial index: (mean ε of the K Gibbs students, ε of their centre of mass)."""
    gibbs, bayes = np.empty(len(trials)), np.empty(len(trials))
    for k, t in enumerate(trials):
        B, S = gibbs_students(N, alpha, seed, point, t, n_students, T, steps)
        units = S / np.linalg.norm(S, axis=1, keepdims=True)
        gibbs[k] = np.mean([error_from_overlap(overlap(s, B)) for s in units])
        bayes[k] = error_from_overlap(overlap(units.sum(axis=0), B))
    return gibbs, bayes


def learning_curve(N: int, alpha, trials: int, seed, rule: str = "gibbs", n_students: int = 4, T: float = 0.0,
                   steps: int | None = None) -> dict[str, np.ndarray]:
    """The teacher-student study's arrays: ``alpha``, ``generalization_error`` (mean over trials),
    ``generalization_error_error``, ``generalization_error_theory`` (RS; 'bayes' simulates the centroid of
    ``n_students`` Gibbs students and its theory is that centroid's; T > 0 theory for 'gibbs' and 'hebb', NaN
    for 'bayes')."""
    alpha = check_grid("alpha", alpha, 0.0)
    trials = check_int("trials", trials, 1)
    if rule not in RULES:
        raise ParameterError("rule", rule, f"one of {RULES}")
    T = check_real("T", T, 0.0)
    eps = []
    for i, a in enumerate(alpha):
        if rule == "hebb":
            eps.append(hebb_trials(N, a, seed, i, range(trials)))
        else:
            g, b = gibbs_trials(N, a, seed, i, range(trials), n_students, T, steps)
            eps.append(g if rule == "gibbs" else b)
    mean, err = mean_and_error(np.array(eps))
    theory = (np.full(len(alpha), np.nan) if rule == "bayes" and T > 0.0 else
              generalization_error_theory(alpha, rule, n_students if rule == "bayes" else None, T))
    return {"alpha": alpha, "generalization_error": mean, "generalization_error_error": err,
            "generalization_error_theory": theory}
