"""The Hopfield network: Hebbian couplings and Numba retrieval dynamics (T = 0 asynchronous, Glauber heat bath).

Couplings (Hopfield, PNAS 79, 2554 (1982)): J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ, J_ii = 0, for P = αN patterns
ξ^μ ∈ {±1}^N; energy E = −½ Σ_ij J_ij s_i s_j, local field h_i = Σ_j J_ij s_j. The kernels work with the
integer couplings N·J (exact arithmetic: fields never drift and ties h_i = 0 are exact).

Dynamics, random sequential order (a fresh permutation each sweep, drawn from the trial's xoshiro256** stream):
* T = 0: s_i ← sign(h_i) (a tie h_i = 0 is a fair coin), stopping after the first sweep without a flip
  (a fixed point, every s_i h_i ≥ 0);
* T > 0: Glauber/heat bath, s_i = +1 with probability 1/(1 + exp(−2β h_i)) — detailed balance w.r.t. exp(−βE).

Retrieval: start at pattern 1 with a fraction ``noise`` of its spins flipped (exactly round(noise·N), at random);
measure the Mattis overlap m = (1/N) Σ_i ξ_i^1 s_i at the end.

Trial t of grid point p draws its patterns from ``seed_sequence(seed, p, t)``, its dynamics stream from
``seed_sequence(seed, p, t, 1)`` and its cue from ``seed_sequence(seed, p, t, 2)``; a trial's state (``spins``, ``fields``, ``rng``, ``sweeps``) can be
advanced in chunks of sweeps and resumed exactly (the patterns are redrawn from the seed).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..rng import next_below, next_double, permutation, seed_sequence, xoshiro256_state
from ._common import check_grid, check_int, check_real, mean_and_error, random_signs, trial_generator


def hebbian_couplings(patterns, integer: bool = False) -> np.ndarray:
    """J = (1/N) ξᵀξ with zero diagonal for ``patterns`` ξ of shape (P, N), entries ±1; with ``integer`` the
    exact int32 matrix N·J instead."""
    xi = np.asarray(patterns, dtype=np.float64)
    N = xi.shape[1]
    C = xi.T @ xi
    np.fill_diagonal(C, 0.0)
    return np.rint(C).astype(np.int32) if integer else C / N


@njit(cache=True)
def hopfield_sweeps(NJ, spins, fields, rng, beta_over_n, n_sweeps, stop_at_fixed_point):
    """Advance ``spins`` (int8 ±1) by up to ``n_sweeps`` random-order sweeps under the integer couplings ``NJ``
    (int32, N·J, zero diagonal), keeping the integer ``fields`` = NJ·s (int64) current. ``beta_over_n`` = β/N
    (np.inf for T = 0). With ``stop_at_fixed_point``, stop after a sweep without a flip. Returns sweeps done."""
    n = spins.shape[0]
    zero_t = beta_over_n == np.inf
    for sweep in range(n_sweeps):
        order = permutation(n, rng)  # a fresh order from the stream alone (exact resume)
        flips = 0
        for k in range(n):
            i = order[k]
            h = fields[i]
            if zero_t:
                if h > 0:
                    new = 1
                elif h < 0:
                    new = -1
                else:
                    new = 1 if next_below(rng, 2) == 1 else -1
            else:
                p_up = 1.0 / (1.0 + math.exp(-2.0 * beta_over_n * h))
                new = 1 if next_double(rng) < p_up else -1
            if new != spins[i]:
                spins[i] = new
                flips += 1
                row = NJ[i]
                for j in range(n):
                    fields[j] += 2 * new * row[j]
        if stop_at_fixed_point and flips == 0:
            return sweep + 1
    return n_sweeps


def n_patterns(N: int, alpha: float) -> int:
    """P = max(1, round(αN))."""
    return max(1, round(alpha * N))


def retrieval_problem(N: int, alpha: float, seed, point: int, trial: int) -> tuple[np.ndarray, np.ndarray]:
    """(patterns ξ (P, N) int8, integer couplings N·J int32) of trial ``trial`` at grid point ``point``."""
    N = check_int("N", N, 2)
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    xi = random_signs(trial_generator(seed, point, trial), (n_patterns(N, alpha), N))
    return xi, hebbian_couplings(xi, integer=True)


def init_retrieval(patterns, NJ, noise: float, seed, point: int, trial: int) -> dict[str, np.ndarray]:
    """State of one retrieval trial: ``spins`` = pattern 1 with round(noise·N) sites flipped (drawn from stream
    (point, trial, 2)), ``fields`` (int64, N·h), ``rng`` (uint64[4], stream (point, trial, 1)), ``sweeps``
    (int64[1], sweeps done)."""
    noise = check_real("noise", noise, 0.0, high=1.0)
    N = patterns.shape[1]
    spins = patterns[0].copy()
    cue = np.random.Generator(np.random.PCG64(seed_sequence(seed, point, trial, 2)))
    spins[cue.choice(N, size=round(noise * N), replace=False)] *= -1
    return {"spins": spins, "fields": NJ.astype(np.int64) @ spins.astype(np.int64),
            "rng": xoshiro256_state(seed_sequence(seed, point, trial, 1)), "sweeps": np.zeros(1, dtype=np.int64)}


def advance_retrieval(state, NJ, T: float, n_sweeps: int) -> int:
    """Run up to ``n_sweeps`` more sweeps at temperature T (T = 0 stops at a fixed point); returns sweeps run."""
    T = check_real("T", T, 0.0)
    n = state["spins"].shape[0]
    beta_over_n = np.inf if T == 0.0 else 1.0 / (T * n)
    done = hopfield_sweeps(NJ, state["spins"], state["fields"], state["rng"], beta_over_n, int(n_sweeps), T == 0.0)
    state["sweeps"][0] += done
    return done


def retrieval_trials(N: int, alpha: float, seed, point: int, trials, T: float = 0.0, noise: float = 0.0,
                     sweeps: int = 100) -> np.ndarray:
    """Final Mattis overlaps m with pattern 1, one per trial index in ``trials``: T = 0 until a fixed point (at
    most ``sweeps`` sweeps), T > 0 exactly ``sweeps`` Glauber sweeps."""
    sweeps = check_int("sweeps", sweeps, 1)
    T = check_real("T", T, 0.0)
    out = np.empty(len(trials))
    for k, t in enumerate(trials):
        xi, NJ = retrieval_problem(N, alpha, seed, point, t)
        state = init_retrieval(xi, NJ, noise, seed, point, t)
        advance_retrieval(state, NJ, T, sweeps)
        out[k] = np.dot(state["spins"].astype(np.int64), xi[0]) / N
    return out


def retrieval_curve(N: int, alpha, trials: int, seed, T=0.0, noise: float = 0.0,
                    sweeps: int = 100) -> dict[str, np.ndarray | float]:
    """The hopfield study's arrays: ``alpha``, ``overlap`` (mean final Mattis overlap m over trials),
    ``overlap_error``, ``overlap_theory`` (AGS retrieval-state m, 0 where none exists), scalars ``alpha_c_theory``,
    ``overlap_c_theory`` (AGS T = 0). A scalar ``T`` gives arrays over α; a 1-D grid ``T`` adds the key ``T`` and
    gives (len(T), len(α)) arrays. Point (T_j, α_i) keys its trials' streams (j·len(α) + i, trial)."""
    from .hopfield_theory import ags_critical, retrieval_overlap

    alpha = check_grid("alpha", alpha, 0.0)
    trials = check_int("trials", trials, 1)
    temps = check_grid("T", T, 0.0, inclusive=True)
    n = len(alpha)
    m = np.array([[retrieval_trials(N, a, seed, j * n + i, range(trials), t, noise, sweeps)
                   for i, a in enumerate(alpha)] for j, t in enumerate(temps)])
    mean, err = mean_and_error(m)
    theory = np.array([[retrieval_overlap(a, t) for a in alpha] for t in temps])
    alpha_c, m_c = ags_critical()
    out = {"alpha": alpha, "overlap": mean, "overlap_error": err, "overlap_theory": theory,
           "alpha_c_theory": alpha_c, "overlap_c_theory": m_c}
    if np.ndim(T) == 0:
        return {k: v[0] if isinstance(v, np.ndarray) and v.ndim == 2 else v for k, v in out.items()}
    return {"T": temps, **out}


def basin_radius(N: int, alpha, noise_grid, trials: int, seed, m_min: float = 0.9, sweeps: int = 100) -> np.ndarray:
    """Size of the basin of attraction at T = 0: for each α, the largest cue noise in ``noise_grid`` (increasing)
    from which the mean final overlap is still ≥ ``m_min`` (0 if none). Trials of (α_i, noise_j) are keyed by
    point i·len(noise_grid) + j."""
    alpha = check_grid("alpha", alpha, 0.0)
    noise_grid = check_grid("noise_grid", noise_grid, 0.0, inclusive=True, high=1.0)
    trials = check_int("trials", trials, 1)
    radius = np.zeros(len(alpha))
    for i, a in enumerate(alpha):
        for j, d in enumerate(noise_grid):
            m = retrieval_trials(N, a, seed, i * len(noise_grid) + j, range(trials), 0.0, d, sweeps).mean()
            if m < m_min:
                break
            radius[i] = d
    return radius
