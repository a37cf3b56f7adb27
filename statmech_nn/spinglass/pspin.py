"""The spherical p-spin glass (Crisanti & Sommers 1992) in the normalisation of Auffinger, Ben Arous & Černý,
"Random matrices and complexity of spin glasses", CPAM 66 (2013):

    H(σ) = −√(p!) N^{−(p−1)/2} Σ_{i1<…<ip} J_{i1…ip} σ_{i1}⋯σ_{ip},   J ~ N(0, 1) i.i.d.,   ‖σ‖² = N.

The factor √(p!) makes the sum over ordered index sets equal in law to ABČ's sum over all p-tuples (up to the
terms with repeated indices, which vanish as N → ∞), so E[H(σ)H(σ')] → N (σ·σ'/N)^p and −E_0, −E_∞ per spin are
ABČ's values (:mod:`.abc_theory`). Exactly, Var H(σ) = p! N^{−(p−1)} e_p(σ_1², …, σ_N²) (e_p the elementary
symmetric polynomial), = (N)_p / N^{p−1} at any σ ∈ {±1}^N.

Couplings are stored sparsely as the list of the C(N, p) index sets (uint16 (M, p)) and their effective weights
w = −√(p!) N^{−(p−1)/2} J, so one kernel serves every p; memory ≈ (2p + 16)·C(N, p) bytes, M is capped at
``MAX_TERMS`` = 2·10⁷ (p=3: N ≤ 494; p=4: N ≤ 149; p=5: N ≤ 81). A gradient costs O(p·M): p = 3, N = 200
(M = 1.3·10⁶) takes ≈ 10–30 ms on one core. On the sphere, for the Euclidean gradient g
and Hessian ∇²H (all p slots of each term summed),

    grad_S H = P g,   Hess_S H = P (∇²H − (σ·g / N) I) P,   P = I − σσᵀ/N,

the second term the radial Lagrange multiplier (σ·g = pH by homogeneity). The index of a critical point is the
number of negative eigenvalues of Hess_S restricted to the (N−1)-dimensional tangent space.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from .checks import integer

P_MIN, P_MAX = 2, 5
MAX_TERMS = 20_000_000
#: Stream key (after the seed) of p-spin couplings.
PSPIN_COUPLINGS_KEY = 3


@njit(cache=True)
def _combinations(n, p, out):
    """All increasing p-tuples of range(n) in lexicographic order into out (C(n, p), p)."""
    idx = np.arange(p)
    for row in range(out.shape[0]):
        out[row] = idx
        k = p - 1
        while k >= 0 and idx[k] == n - p + k:
            k -= 1
        if k < 0:
            break
        idx[k] += 1
        for m in range(k + 1, p):
            idx[m] = idx[m - 1] + 1


@njit(cache=True)
def _others(sigma, row, skip_a, skip_b):
    prod = 1.0
    for m in range(row.size):
        if m != skip_a and m != skip_b:
            prod *= sigma[row[m]]
    return prod


@njit(cache=True)
def energy_kernel(index, weights, sigma):
    """H(σ) = Σ_t w_t Π_m σ_{index[t, m]}."""
    e = 0.0
    p = index.shape[1]
    for t in range(weights.size):
        prod = weights[t]
        for m in range(p):
            prod *= sigma[index[t, m]]
        e += prod
    return e


@njit(cache=True)
def gradient_kernel(index, weights, sigma, out):
    """out = ∇H(σ), every slot m of every term: ∂_{i_m} gets w_t Π_{m'≠m} σ_{i_m'} (prefix × suffix products)."""
    out[:] = 0.0
    p = index.shape[1]
    prefix = np.empty(p)
    for t in range(weights.size):
        pre = weights[t]
        for m in range(p):
            prefix[m] = pre
            pre *= sigma[index[t, m]]
        suffix = 1.0
        for m in range(p - 1, -1, -1):
            i = index[t, m]
            out[i] += prefix[m] * suffix
            suffix *= sigma[i]


@njit(cache=True)
def hessian_kernel(index, weights, sigma, out):
    """out = ∇²H(σ) (N × N, symmetric; zero diagonal since the indices of a term differ)."""
    out[:, :] = 0.0
    for t in range(weights.size):
        row = index[t]
        for a in range(row.size):
            for b in range(a + 1, row.size):
                x = weights[t] * _others(sigma, row, a, b)
                out[row[a], row[b]] += x
                out[row[b], row[a]] += x


@dataclass(frozen=True)
class PSpin:
    """A spherical p-spin sample: ``index`` (M, p) uint16 increasing index sets, ``couplings`` (M,) unit-variance
    J, ``weights`` = −√(p!) N^{−(p−1)/2} J (what the kernels use)."""

    n_spins: int
    p: int
    index: np.ndarray
    couplings: np.ndarray
    weights: np.ndarray

    def _sigma(self, sigma) -> np.ndarray:
        s = np.ascontiguousarray(sigma, dtype=np.float64)
        if s.shape != (self.n_spins,) or not np.all(np.isfinite(s)):
            raise ParameterError("sigma", getattr(sigma, "shape", sigma), f"a finite vector of length {self.n_spins}")
        return s

    def energy(self, sigma) -> float:
        return energy_kernel(self.index, self.weights, self._sigma(sigma))

    def gradient(self, sigma) -> np.ndarray:
        """Euclidean ∇H(σ)."""
        out = np.empty(self.n_spins)
        gradient_kernel(self.index, self.weights, self._sigma(sigma), out)
        return out

    def hessian(self, sigma) -> np.ndarray:
        """Euclidean ∇²H(σ)."""
        out = np.empty((self.n_spins, self.n_spins))
        hessian_kernel(self.index, self.weights, self._sigma(sigma), out)
        return out

    def riemannian_gradient(self, sigma) -> np.ndarray:
        """P ∇H: the gradient on the sphere ‖σ‖² = N (σ need not be normalised; it is projected as given)."""
        s = self._sigma(sigma)
        g = self.gradient(s)
        return g - (s @ g / (s @ s)) * s

    def riemannian_hessian(self, sigma) -> np.ndarray:
        """P (∇²H − (σ·∇H / N) I) P at σ on the sphere (N × N; σ itself is a null direction)."""
        s = self._sigma(sigma)
        n = s @ s
        proj = np.eye(self.n_spins) - np.outer(s, s) / n
        return proj @ (self.hessian(s) - (s @ self.gradient(s) / n) * np.eye(self.n_spins)) @ proj

    def tangent_hessian_eigenvalues(self, sigma) -> np.ndarray:
        """The N−1 eigenvalues (ascending) of the Riemannian Hessian restricted to the tangent space at σ."""
        s = self._sigma(sigma)
        basis = tangent_basis(s)
        h = self.hessian(s) - (s @ self.gradient(s) / (s @ s)) * np.eye(self.n_spins)
        return np.linalg.eigvalsh(basis.T @ h @ basis)

    def index_of(self, sigma, tol: float = 1e-8) -> int:
        """Number of tangent Hessian eigenvalues below −tol (0 at a local minimum)."""
        return int(np.sum(self.tangent_hessian_eigenvalues(sigma) < -tol))


def tangent_basis(sigma: np.ndarray) -> np.ndarray:
    """An orthonormal basis (N, N−1) of the plane orthogonal to σ (a Householder reflection's columns)."""
    n = sigma.size
    u = sigma / np.linalg.norm(sigma)
    v = u.copy()
    v[0] += 1.0 if u[0] >= 0.0 else -1.0
    house = np.eye(n) - 2.0 * np.outer(v, v) / (v @ v)
    return house[:, 1:]


def pspin_from_couplings(n_spins: int, p: int, couplings) -> PSpin:
    """The p-spin with unit-variance couplings J (C(N, p),), ordered as the lexicographic index sets."""
    p = integer("p", p, P_MIN, P_MAX)
    n = integer("n_spins", n_spins, p)
    m = math.comb(n, p)
    if m > MAX_TERMS:
        raise ParameterError("n_spins", n, f"C(n_spins, p) <= {MAX_TERMS} (dense index sets; p={p})")
    J = np.array(couplings, dtype=np.float64)
    if J.shape != (m,) or not np.all(np.isfinite(J)):
        raise ParameterError("couplings", getattr(couplings, "shape", couplings), f"{m} finite numbers (C(N, p))")
    index = np.empty((m, p), np.uint16)
    _combinations(n, p, index)
    weights = -math.sqrt(math.factorial(p)) * n ** (-(p - 1) / 2.0) * J
    for a in (index, J, weights):
        a.setflags(write=False)
    return PSpin(n, p, index, J, weights)


def pspin_model(n_spins: int, p: int, seed) -> PSpin:
    """A p-spin sample (2 ≤ p ≤ 5, N ≥ p) with Gaussian couplings from stream (seed, PSPIN_COUPLINGS_KEY)."""
    p = integer("p", p, P_MIN, P_MAX)
    n = integer("n_spins", n_spins, p)
    if math.comb(n, p) > MAX_TERMS:
        raise ParameterError("n_spins", n, f"C(n_spins, p) <= {MAX_TERMS} (dense index sets; p={p})")
    rng = np.random.default_rng(seed_sequence(seed, PSPIN_COUPLINGS_KEY))
    return pspin_from_couplings(n, p, rng.standard_normal(math.comb(n, p)))


def random_sphere_points(n_spins: int, n_points: int, seed, *key: int) -> np.ndarray:
    """(n_points, N) uniform points on the sphere ‖σ‖² = N from stream (seed, *key)."""
    g = np.random.default_rng(seed_sequence(seed, *key)).standard_normal((n_points, n_spins))
    return g * (math.sqrt(n_spins) / np.linalg.norm(g, axis=1, keepdims=True))
