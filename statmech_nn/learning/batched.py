"""Faster trial batches for the learning studies: the same numbers as the per-trial functions, in less time.

* :func:`gibbs_batch` — :func:`~statmech_nn.learning.teacher_student.gibbs_trials` for a batch of trials at one grid
  point: all (trial, student) chains advance in one ``prange`` over chains (each chain keeps its own xoshiro256**
  stream, so the result does not depend on the thread count), and the slice-sampler's projection b = G ν runs as
  an axpy over the transposed patterns (vectorisable) instead of P dot products. Every floating-point operation
  of :func:`~statmech_nn.learning.teacher_student.elliptical_slice_steps` is kept in the same order, so the
  students are bit-identical to the per-trial function's.
* :func:`solution_histogram` — exact enumeration of the ±1 weight vectors w with every stability G w > 0 by
  depth-first search with pruning: a branch is cut as soon as some partial stability h_μ cannot reach 1 with the
  N − d weights left (h_μ + N − d < 1). It visits the solutions and their feasible ancestors instead of all 2^N
  vectors (Gray code in :func:`~statmech_nn.learning.ising_perceptron.enumerate_solutions`), and returns the
  histogram of the overlaps w·reference over the solutions, from which counts and Σ arccos(R)/π follow exactly
  (independent of summation order). The 2^k top-level prefixes run in ``prange``.
* :func:`ising_gibbs_batch`, :func:`storable_batch` — the Ising-weight teacher–student and storage trials of
  :mod:`~statmech_nn.learning.ising_perceptron` on top of it (same streams, same patterns).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..rng import seed_sequence, xoshiro256_state
from ._common import check_int, check_real, random_signs, trial_generator
from .capacity import optimal_stability
from .ising_perceptron import _check_odd_n, teacher_trial
from .teacher_student import STEPS_PER_N, _normal, error_from_overlap, overlap, slice_move, trial_data

PREFIX_BITS = 6  # 64 independent subtrees for prange


# ---------------------------------------------------------------- Gibbs students (spherical weights)


@njit(cache=True)
def _slice_chain(GT, J, fields, rng, beta, n_steps):
    """``elliptical_slice_steps`` on one chain, with G given transposed (N, P): the same arithmetic per entry."""
    N, P = GT.shape
    nu = np.empty(N)
    b = np.empty(P)
    for step in range(n_steps):
        for i in range(N):
            nu[i] = _normal(rng)
        b[:] = 0.0
        for i in range(N):
            x = nu[i]
            row = GT[i]
            for mu in range(P):
                b[mu] += row[mu] * x
        slice_move(J, fields, nu, b, rng, beta)


@njit(cache=True, parallel=True)
def slice_chains(GT, chain_trial, J, fields, rng, beta, n_steps):
    """Advance chains c = 0..C−1 by ``n_steps`` elliptical-slice updates each: chain c samples the version space
    (β = inf) or the Gibbs measure of trial ``chain_trial[c]``'s patterns ``GT[chain_trial[c]]`` (N, P), with its
    own ``J[c]``, ``fields[c]`` = G J[c] and ``rng[c]``."""
    for c in prange(J.shape[0]):
        _slice_chain(GT[chain_trial[c]], J[c], fields[c], rng[c], beta, n_steps)


def gibbs_batch(N: int, alpha: float, seed, point: int, trials, n_students: int = 4, T: float = 0.0,
                steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per trial index: (mean ε of the K Gibbs students, ε of their centre of mass) — equal to
    ``teacher_student.gibbs_trials`` with the same arguments; all chains of the batch run in parallel."""
    K = check_int("n_students", n_students, 1)
    T = check_real("T", T, 0.0)
    steps = STEPS_PER_N * N if steps is None else check_int("steps", steps, 1)
    trials = list(trials)
    teachers, GT, J, fields, rng = [], [], [], [], []
    for t in trials:
        B, X, y = trial_data(N, alpha, seed, point, t)
        G = y[:, None] * X
        _, J0 = optimal_stability(X, y)
        teachers.append(B)
        GT.append(np.ascontiguousarray(G.T))
        for k in range(K):
            J.append(J0.copy())
            fields.append(G @ J0)
            rng.append(xoshiro256_state(seed_sequence(seed, point, t, 1 + k)))
    J, fields, rng = np.array(J), np.array(fields), np.array(rng)
    chain_trial = np.repeat(np.arange(len(trials)), K)
    slice_chains(np.array(GT), chain_trial, J, fields, rng, np.inf if T == 0.0 else 1.0 / T, steps)
    gibbs, bayes = np.empty(len(trials)), np.empty(len(trials))
    for k, B in enumerate(teachers):
        S = J[k * K:(k + 1) * K]
        units = S / np.linalg.norm(S, axis=1, keepdims=True)
        gibbs[k] = np.mean([error_from_overlap(overlap(s, B)) for s in units])
        bayes[k] = error_from_overlap(overlap(units.sum(axis=0), B))
    return gibbs, bayes


# ---------------------------------------------------------------- exact enumeration (Ising weights)


@njit(cache=True)
def _subtree(G, reference, prefix, k, hist, stop_at_first):
    """Depth-first search of the weights w_k..w_{N−1} below the fixed w_0..w_{k−1} (bit i of ``prefix`` set:
    w_i = −1); adds the overlap index (w·reference + N)/2 of every solution to ``hist``."""
    P, N = G.shape
    h = np.zeros(P, dtype=np.int64)
    w = np.zeros(N + 1, dtype=np.int64)
    choice = np.zeros(N + 1, dtype=np.int64)
    ov = 0
    for i in range(k):
        s = -1 if (prefix >> i) & 1 else 1
        for mu in range(P):
            h[mu] += s * G[mu, i]
        ov += s * reference[i]
    for mu in range(P):
        if h[mu] + N - k < 1:
            return
    d = k
    choice[d] = 0
    while d >= k:
        if d == N:
            hist[(ov + N) // 2] += 1
            if stop_at_first:
                return
            d -= 1
            continue
        c = choice[d]
        if c > 0:  # undo this level's previous assignment
            s = w[d]
            for mu in range(P):
                h[mu] -= s * G[mu, d]
            ov -= s * reference[d]
        if c == 2:
            d -= 1
            continue
        s = 1 if c == 0 else -1
        choice[d] = c + 1
        w[d] = s
        ok = True
        rest = N - d - 1
        for mu in range(P):
            h[mu] += s * G[mu, d]
            if h[mu] + rest < 1:
                ok = False
        ov += s * reference[d]
        if ok:
            d += 1
            choice[d] = 0


@njit(cache=True, parallel=True)
def _histograms(G, reference, k, stop_at_first):
    N = G.shape[1]
    out = np.zeros((1 << k, N + 1), dtype=np.int64)
    for prefix in prange(1 << k):
        _subtree(G, reference, prefix, k, out[prefix], stop_at_first)
    return out


def solution_histogram(G, reference, stop_at_first: bool = False) -> np.ndarray:
    """``hist[j]`` = number of w ∈ {±1}^N with G w > 0 (every entry) and w·reference = 2j − N, j = 0..N (G: (P, N)
    ±1 signed patterns, N odd so that no stability vanishes). With ``stop_at_first`` each of the 2^k subtrees
    stops at its first solution (``hist.sum() > 0`` still decides existence exactly)."""
    G = np.ascontiguousarray(G, dtype=np.int64)
    reference = np.ascontiguousarray(reference, dtype=np.int64)
    k = min(PREFIX_BITS, G.shape[1])
    return _histograms(G, reference, k, bool(stop_at_first)).sum(axis=0)


def histogram_error(hist: np.ndarray) -> float:
    """Version-space average of arccos(R)/π, R = 2j/N − 1, from an overlap histogram."""
    N = len(hist) - 1
    R = 2.0 * np.arange(N + 1) / N - 1.0
    return float(hist @ (np.arccos(np.clip(R, -1.0, 1.0)) / math.pi) / hist.sum())


def ising_gibbs_batch(N: int, alpha: float, seed, point: int, trials) -> tuple[np.ndarray, np.ndarray]:
    """Per trial index: (Gibbs ε averaged exactly over the version space, is the teacher the only solution) —
    ``ising_perceptron.ising_gibbs_trials`` by pruned enumeration (same patterns and teacher)."""
    N = _check_odd_n(N)
    alpha = check_real("alpha", alpha, 0.0, inclusive=False)
    trials = list(trials)
    eps, unique = np.empty(len(trials)), np.empty(len(trials), dtype=bool)
    for k, t in enumerate(trials):
        hist = solution_histogram(*teacher_trial(N, alpha, seed, point, t))
        eps[k] = histogram_error(hist)
        unique[k] = hist.sum() == 1
    return eps, unique


def storable_batch(N: int, P: int, seed, point: int, trials) -> np.ndarray:
    """Per trial index: does some w ∈ {±1}^N store P random patterns — ``ising_perceptron.storable_trials`` by
    pruned enumeration."""
    N, P = _check_odd_n(N), check_int("P", P, 1)
    ref = np.ones(N, dtype=np.int64)
    return np.array([solution_histogram(random_signs(trial_generator(seed, point, t), (P, N)), ref, True).sum() > 0
                     for t in trials])
