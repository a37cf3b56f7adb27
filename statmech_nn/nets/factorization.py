"""Implicit bias of gradient descent in matrix factorisation (Gunasekar, Woodworth, Bhojanapalli, Neyshabur &
Srebro, NeurIPS 2017), beside the minimum-nuclear-norm solution.

Sensing problem: a PSD ground truth X* = W Wᵀ/|W Wᵀ|_F (n × n, rank r, |X*|_F = 1, W Gaussian) seen through m
linear measurements y_i = ⟨A_i, X*⟩ with symmetric A_i: ``gaussian`` (A_i = (G_i + G_iᵀ)/2, G_i Gaussian, so
E⟨A, Δ⟩² = |Δ|_F² for symmetric Δ) or ``entries`` (A_i = (e_a e_bᵀ + e_b e_aᵀ)/2 for m distinct pairs a ≤ b:
matrix completion). With m < n(n+1)/2 the equations have many PSD solutions.

Gradient descent on the factorisation X = U Uᵀ, U ∈ R^{n×d}, of

    L(U) = (1/2m) Σ_i (⟨A_i, U Uᵀ⟩ − y_i)²,     ∇L = (2/m) Σ_i r_i A_i U,

from U₀ = α G/√d (G Gaussian) converges, as α → 0 and lr → 0, to the solution of least nuclear norm (Gunasekar et
al.'s conjecture, proven when the A_i commute); at α = O(1) it stops at a solution of larger nuclear norm.

The convex reference min tr X s.t. A(X) = y, X ⪰ 0 (the nuclear norm of a PSD matrix is its trace) is solved by
ADMM (Boyd et al., Found. Trends Mach. Learn. 3, 1 (2011)) on the split X (affine set) = Z (PSD cone):
X ← Π_aff(Z − Λ − I/ρ), Z ← Π_psd(X + Λ), Λ ← Λ + X − Z.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

MEASUREMENTS = ("gaussian", "entries")


def _generator(seed, *key) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, *key)))


def ground_truth(seed, n: int, rank: int) -> np.ndarray:
    """X* = W Wᵀ / |W Wᵀ|_F with W (n × rank) Gaussian."""
    if not 1 <= rank <= n:
        raise ParameterError("rank", rank, f"1 <= rank <= n ({n})")
    w = _generator(seed, 0).standard_normal((n, rank))
    x = w @ w.T
    return x / np.linalg.norm(x)


def sensing_operator(seed, n: int, m: int, kind: str = "gaussian") -> np.ndarray:
    """The measurements as rows: A (m, n²), row i = vec(A_i) with A_i symmetric (module docstring)."""
    pairs = n * (n + 1) // 2
    if kind not in MEASUREMENTS:
        raise ParameterError("measurements", kind, ", ".join(MEASUREMENTS))
    if not 1 <= m <= pairs:
        raise ParameterError("observations", m, f"1 <= observations <= n(n+1)/2 = {pairs}")
    gen = _generator(seed, 1)
    if kind == "gaussian":
        g = gen.standard_normal((m, n, n))
        return (0.5 * (g + np.swapaxes(g, 1, 2))).reshape(m, n * n)
    a, b = np.triu_indices(n)
    chosen = gen.choice(pairs, size=m, replace=False)
    ops = np.zeros((m, n, n))
    ops[np.arange(m), a[chosen], b[chosen]] += 0.5
    ops[np.arange(m), b[chosen], a[chosen]] += 0.5
    return ops.reshape(m, n * n)


@dataclass(frozen=True, eq=False)
class Factorization:
    """L(U) = (1/2m) Σ_i (⟨A_i, U Uᵀ⟩ − y_i)² over a flat U (n·d,), with the trainers' ``value_and_grad``."""

    a: np.ndarray        # (m, n²)
    y: np.ndarray        # (m,)
    n: int
    width: int

    @property
    def n_samples(self) -> int:
        return self.y.size

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        u = theta.reshape(self.n, self.width)
        return u @ u.T

    def value_and_grad(self, theta: np.ndarray, index=None) -> tuple[float, np.ndarray]:
        u = theta.reshape(self.n, self.width)
        r = self.a @ (u @ u.T).ravel() - self.y
        m = self.y.size
        grad = (2.0 / m) * (r @ self.a).reshape(self.n, self.n) @ u
        return 0.5 * float(r @ r) / m, grad.ravel()

    def value(self, theta: np.ndarray, index=None) -> float:
        return self.value_and_grad(theta)[0]


def initial_factor(seed, n: int, width: int, scale: float) -> np.ndarray:
    """U₀ = α G/√d, flat (n·d,)."""
    return (scale / math.sqrt(width)) * _generator(seed).standard_normal(n * width)


def nuclear_norm(x: np.ndarray) -> float:
    return float(np.sum(np.linalg.svd(x, compute_uv=False)))


def effective_rank(x: np.ndarray, relative: float = 1e-3) -> int:
    """The number of singular values above ``relative`` × the largest."""
    s = np.linalg.svd(x, compute_uv=False)
    return int(np.count_nonzero(s > relative * s[0])) if s[0] > 0 else 0


def min_nuclear_norm(a: np.ndarray, y: np.ndarray, n: int, rho: float = 10.0, tol: float = 1e-9,
                     max_iter: int = 20000) -> tuple[np.ndarray, int]:
    """(X, iterations): argmin tr X over PSD X with A vec(X) = y, by ADMM (module docstring) with residual
    balancing (ρ doubled or halved when the primal and dual residuals differ by more than 10×; Boyd et al.
    §3.4.1); stops when |X − Z|_F and ρ|Z − Z_prev|_F fall below ``tol`` × max(1, |X|_F)."""
    pinv = np.linalg.pinv(a)    # Aᵀ(AAᵀ)⁻¹ for independent measurements

    def affine(v):
        return v - (pinv @ (a @ v.ravel() - y)).reshape(n, n)

    def psd(v):
        w, q = np.linalg.eigh(0.5 * (v + v.T))
        return (q * np.maximum(w, 0.0)) @ q.T

    z, lam, eye = np.zeros((n, n)), np.zeros((n, n)), np.eye(n)
    for it in range(1, max_iter + 1):
        x = affine(z - lam - eye / rho)
        z_prev, z = z, psd(x + lam)
        lam += x - z
        scale = max(1.0, float(np.linalg.norm(x)))
        primal, dual = float(np.linalg.norm(x - z)), rho * float(np.linalg.norm(z - z_prev))
        if primal < tol * scale and dual < tol * scale:
            break
        if primal > 10.0 * dual:
            rho, lam = 2.0 * rho, 0.5 * lam       # lam is the scaled dual variable y/ρ
        elif dual > 10.0 * primal:
            rho, lam = 0.5 * rho, 2.0 * lam
    return z, it
