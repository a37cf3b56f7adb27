"""Hessian spectra of trained networks (Sagun, Evci, Güney, Dauphin & Bottou, arXiv:1706.04454, 2017): exact
eigendecompositions for small networks, stochastic Lanczos quadrature for large ones, and the Gauss–Newton /
residual split H = G + R.

Stochastic Lanczos quadrature (SLQ; Golub & Meurant 1994; Ubaru, Chen & Saad, SIAM J. Matrix Anal. Appl. 38, 1075
(2017); Ghorbani, Krishnan & Xiao, ICML 2019): for a symmetric P × P matrix H reached only through products Hv,
and a random probe v with E[vvᵀ] = 1/P·1 (a normalised Rademacher vector), k Lanczos steps from v give the
tridiagonal T_k = Y diag(θ) Yᵀ, and

    vᵀ f(H) v ≈ Σ_j τ_j f(θ_j),   τ_j = Y_{1j}²   (k-point Gauss quadrature of the spectral measure seen from v),

exact for polynomials of degree ≤ 2k − 1. Averaging over n_v probes, the spectral density is ρ(λ) ≈ (1/n_v)
Σ_{v,j} τ_j g_σ(λ − θ_j) with a Gaussian g_σ, and tr f(H) ≈ P · mean_v Σ_j τ_j f(θ_j) (Hutchinson's estimator,
error P · std_v/√n_v). Lanczos here fully reorthogonalises (k ≪ P), so the nodes do not ghost.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.linalg import eigh_tridiagonal

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

Matvec = Callable[[np.ndarray], np.ndarray]


def lanczos(matvec: Matvec, v0: np.ndarray, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(α (k,), β (k−1,)) of the Lanczos tridiagonalisation started from v0, with full reorthogonalisation;
    k ≤ n_steps (stops early if the Krylov space is exhausted)."""
    if n_steps < 1:
        raise ParameterError("n_steps", n_steps, "a positive number of Lanczos steps")
    dim = v0.size
    k_max = min(n_steps, dim)
    basis = np.empty((k_max, dim))
    alpha, beta = np.empty(k_max), np.empty(k_max)
    q = v0 / np.linalg.norm(v0)
    for k in range(k_max):
        basis[k] = q
        w = matvec(q)
        alpha[k] = q @ w
        w = w - basis[:k + 1].T @ (basis[:k + 1] @ w)   # twice is enough (Parlett's "twice is enough")
        w = w - basis[:k + 1].T @ (basis[:k + 1] @ w)
        beta[k] = np.linalg.norm(w)
        if k + 1 == k_max or beta[k] <= 1e-12 * max(abs(alpha[k]), 1e-300):
            return alpha[:k + 1], beta[:k]
        q = w / beta[k]
    return alpha, beta[:k_max - 1]  # pragma: no cover - loop always returns


def gauss_quadrature(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nodes θ_j, weights τ_j = Y_{1j}²) of the tridiagonal matrix (α, β)."""
    if alpha.size == 1:
        return alpha.copy(), np.ones(1)
    nodes, vectors = eigh_tridiagonal(alpha, beta)
    return nodes, vectors[0] ** 2


def slq(matvec: Matvec, dim: int, n_vectors: int, n_steps: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (n_vectors, n_steps) of SLQ with Rademacher probes from ``seed`` (probe i from the
    stream ``seed_sequence(seed, i)``); rows with fewer than n_steps nodes (exhausted Krylov space) are padded with
    weight 0."""
    if n_vectors < 1:
        raise ParameterError("n_vectors", n_vectors, "a positive number of probe vectors")
    k = min(n_steps, dim)
    nodes, weights = np.zeros((n_vectors, k)), np.zeros((n_vectors, k))
    for i in range(n_vectors):
        gen = np.random.Generator(np.random.PCG64(seed_sequence(seed, i)))
        v = gen.choice((-1.0, 1.0), size=dim)
        theta, tau = gauss_quadrature(*lanczos(matvec, v, k))
        nodes[i, :theta.size], weights[i, :theta.size] = theta, tau
    return nodes, weights


def density(nodes: np.ndarray, weights: np.ndarray, grid: np.ndarray, sigma: float) -> np.ndarray:
    """The SLQ spectral density on ``grid``, broadened by a Gaussian of width ``sigma`` (integrates to 1)."""
    g = np.exp(-0.5 * ((grid[:, None] - nodes.ravel()[None, :]) / sigma) ** 2) / (sigma * math.sqrt(2.0 * math.pi))
    return g @ weights.ravel() / nodes.shape[0]


def exact_density(eigenvalues: np.ndarray, grid: np.ndarray, sigma: float) -> np.ndarray:
    """The same Gaussian broadening of an exact spectrum (for comparison with :func:`density`)."""
    ev = np.asarray(eigenvalues)
    return density(ev[None, :], np.full((1, ev.size), 1.0 / ev.size), grid, sigma)


def trace(nodes: np.ndarray, weights: np.ndarray, f: Callable[[np.ndarray], np.ndarray],
          dim: int) -> tuple[float, float]:
    """(estimate, standard error) of tr f(H) = P · E_v[Σ_j τ_j f(θ_j)] over the probes."""
    per_probe = dim * np.sum(weights * f(nodes), axis=1)
    n = per_probe.size
    return float(per_probe.mean()), float(per_probe.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan


def top_eigenvalue(matvec: Matvec, dim: int, seed, n_steps: int = 40) -> float:
    """The largest eigenvalue of H by Lanczos from one random start (the largest Ritz value converges first)."""
    gen = np.random.Generator(np.random.PCG64(seed_sequence(seed)))
    return float(gauss_quadrature(*lanczos(matvec, gen.standard_normal(dim), n_steps))[0][-1])


def symmetric_eigenvalues(matrix: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of (M + Mᵀ)/2 (the exact Hessian is built unsymmetrised; see nets.mlp)."""
    return np.linalg.eigvalsh(0.5 * (matrix + matrix.T))


def split_spectra(objective, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Ascending eigenvalues of the Hessian H, the Gauss–Newton matrix G and the residual R = H − G (the term
    Σ_i ∂L/∂f_i ∇²f_i, which vanishes with the residuals), from the exact matrices of ``objective``."""
    h, g = objective.hessian(theta), objective.gauss_newton(theta)
    return {"hessian": symmetric_eigenvalues(h), "gauss_newton": symmetric_eigenvalues(g),
            "residual": symmetric_eigenvalues(h - g)}


def count_outliers(eigenvalues: np.ndarray, floor: float = 0.01) -> int:
    """The number of eigenvalues above the widest gap at the top of the spectrum: among the eigenvalues
    λ_1 ≥ λ_2 ≥ … that are at least ``floor`` × λ_1 (and the first one below), the i with the largest ratio
    λ_i/λ_{i+1}. With k classes Sagun et al. find about k outliers; the rule does not know k. 0 when λ_1 ≤ 0."""
    ev = np.sort(np.asarray(eigenvalues, dtype=np.float64)[np.isfinite(eigenvalues)])[::-1]
    if ev.size < 2 or ev[0] <= 0:
        return 0
    n = min(int(np.count_nonzero(ev >= floor * ev[0])) + 1, ev.size)
    top = ev[:n]
    ratios = top[:-1] / np.maximum(top[1:], floor * ev[0] * 1e-3)
    return int(np.argmax(ratios)) + 1
