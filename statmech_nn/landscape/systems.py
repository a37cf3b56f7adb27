"""Energy systems the explorer understands (Wales, *Energy Landscapes*, CUP 2003).

A system is an object with

* ``dim`` — number of coordinates; ``n_zero_modes`` — Hessian eigenvalues that vanish by a continuous symmetry
  (translations and rotations of a cluster, the radial direction of a sphere);
* ``energy(x)``, ``energy_and_gradient(x)``, ``hessian(x)`` (exact) and ``hvp(x, v)``;
* ``start(s)`` — a random configuration from the xoshiro256** state ``s``; ``perturb(x, s, step)`` — a
  basin-hopping move; ``normalize(x)`` — the representative after a minimisation (a cluster recentred, a point
  put back on the sphere);
* ``same(x, y, tol)`` — True when x and y are the same structure up to the system's symmetries (translation,
  rotation and permutation of identical atoms; global sign σ → −σ of an even p-spin; permutation and sign flip
  of the hidden units of an odd-activation network); ``distance(x, y)`` — the distance after that alignment;
* ``units`` — the energy units, stored with the run; ``gtol`` — the gradient at which minimisations stop.

Systems here: :class:`LennardJones` (4ε[(σ/r)¹² − (σ/r)⁶], ε = σ = 1), :class:`MullerBrown` (Müller & Brown,
Theor. Chim. Acta 53, 75 (1979)), :class:`SphericalPSpin` (:class:`statmech_nn.spinglass.pspin.PSpin` on
‖σ‖² = N), :class:`NetworkLoss` (an :class:`statmech_nn.nets.mlp.Objective` with one hidden layer) and
:class:`Quadratic` (½ xᵀAx, the closed-form check of basin volumes).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError
from statmech_nn.nets.trainers import standard_normals
from statmech_nn.rng import next_double


class System:
    """Defaults shared by the systems: Hessian-vector products from the Hessian, Gaussian moves, Euclidean
    distance and identity up to ``tol``."""

    dim: int
    n_zero_modes: int = 0
    units: str = ""
    gtol: float = 1e-6  # minimisations converge when max |∂E/∂x_i| < gtol

    def energy(self, x) -> float:
        return self.energy_and_gradient(x)[0]

    def gradient(self, x) -> np.ndarray:
        return self.energy_and_gradient(x)[1]

    def hvp(self, x, v) -> np.ndarray:
        return self.hessian(x) @ v

    def normalize(self, x) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def perturb(self, x, s, step: float) -> np.ndarray:
        """x + step·ξ, ξ ~ N(0, 1) per coordinate."""
        return self.normalize(x + step * standard_normals(s, self.dim))

    def canonical(self, x) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def distance(self, x, y) -> float:
        return float(np.linalg.norm(self.canonical(x) - self.canonical(y)))

    def same(self, x, y, tol: float = 1e-4) -> bool:
        return self.distance(x, y) < tol * math.sqrt(self.dim)


# ------------------------------------------------------------------------------------------- Lennard-Jones
@njit(cache=True)
def lj_energy_gradient(x, grad):
    """E = Σ_{i<j} 4(r⁻¹² − r⁻⁶) of coordinates x (3n,); fills grad (3n,) and returns E."""
    n = x.shape[0] // 3
    e = 0.0
    grad[:] = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = x[3 * i] - x[3 * j]
            dy = x[3 * i + 1] - x[3 * j + 1]
            dz = x[3 * i + 2] - x[3 * j + 2]
            ir2 = 1.0 / (dx * dx + dy * dy + dz * dz)
            ir6 = ir2 * ir2 * ir2
            e += 4.0 * (ir6 * ir6 - ir6)
            f = (-48.0 * ir6 * ir6 + 24.0 * ir6) * ir2  # (dφ/dr)/r
            grad[3 * i] += f * dx
            grad[3 * i + 1] += f * dy
            grad[3 * i + 2] += f * dz
            grad[3 * j] -= f * dx
            grad[3 * j + 1] -= f * dy
            grad[3 * j + 2] -= f * dz
    return e


class LennardJones(System):
    """n atoms with pair energy 4(r⁻¹² − r⁻⁶) (ε = σ = 1); coordinates (3n,) = (x₁, y₁, z₁, x₂, …). Structures
    compare by energy and the sorted list of interatomic distances (invariant under translation, rotation,
    permutation and inversion)."""

    units = "epsilon (pair energy 4 eps [(sigma/r)^12 - (sigma/r)^6], eps = sigma = 1)"
    n_zero_modes = 6

    def __init__(self, n_atoms: int):
        if not 2 <= int(n_atoms) <= 1000:
            raise ParameterError("atoms", n_atoms, "an integer from 2 to 1000")
        self.n_atoms = int(n_atoms)
        self.dim = 3 * self.n_atoms
        self.n_zero_modes = 6 if self.n_atoms > 2 else 5
        self.box = 1.3 * self.n_atoms ** (1 / 3)

    def energy_and_gradient(self, x):
        grad = np.empty(self.dim)
        return lj_energy_gradient(np.ascontiguousarray(x, dtype=np.float64), grad), grad

    def hessian(self, x) -> np.ndarray:
        """Pair blocks −[φ'' r̂r̂ᵀ + (φ'/r)(1 − r̂r̂ᵀ)] off the diagonal, minus their row sums on it."""
        r = np.asarray(x, dtype=np.float64).reshape(-1, 3)
        d = r[:, None, :] - r[None, :, :]
        dist = np.linalg.norm(d, axis=-1)
        np.fill_diagonal(dist, 1.0)
        unit = d / dist[..., None]
        d1 = 4 * (-12 * dist ** -13 + 6 * dist ** -7)
        d2 = 4 * (156 * dist ** -14 - 42 * dist ** -8)
        outer = unit[..., :, None] * unit[..., None, :]
        block = -(d2[..., None, None] * outer + (d1 / dist)[..., None, None] * (np.eye(3) - outer))
        n = self.n_atoms
        block[np.arange(n), np.arange(n)] = 0.0
        block[np.arange(n), np.arange(n)] = -block.sum(axis=1)
        return block.transpose(0, 2, 1, 3).reshape(self.dim, self.dim)

    def normalize(self, x) -> np.ndarray:
        r = np.asarray(x, dtype=np.float64).reshape(-1, 3)
        return (r - r.mean(axis=0)).ravel()

    def start(self, s) -> np.ndarray:
        """Atoms placed one by one uniformly in a cube of side 1.3 n^(1/3), at least 0.8 apart."""
        r = np.empty((self.n_atoms, 3))
        k = 0
        while k < self.n_atoms:
            trial = np.array([next_double(s) for _ in range(3)]) * self.box
            if k == 0 or np.min(np.linalg.norm(r[:k] - trial, axis=1)) > 0.8:
                r[k] = trial
                k += 1
        return self.normalize(r.ravel())

    def perturb(self, x, s, step: float) -> np.ndarray:
        """Every coordinate displaced uniformly in [−step, step] (Wales & Doye 1997), then recentred."""
        u = np.array([next_double(s) for _ in range(self.dim)])
        return self.normalize(x + step * (2.0 * u - 1.0))

    def align(self, x, ref) -> np.ndarray:
        """x rotated (proper or improper) onto ``ref`` by the Kabsch algorithm, atoms in their given order (the
        start of a band between two minima)."""
        a = np.asarray(self.normalize(x)).reshape(-1, 3)
        b = np.asarray(self.normalize(ref)).reshape(-1, 3)
        u, _, vt = np.linalg.svd(a.T @ b)
        return (a @ (u @ vt)).ravel()

    def canonical(self, x) -> np.ndarray:
        r = np.asarray(x, dtype=np.float64).reshape(-1, 3)
        i, j = np.triu_indices(self.n_atoms, 1)
        return np.sort(np.linalg.norm(r[i] - r[j], axis=1))

    def distance(self, x, y) -> float:
        return float(np.max(np.abs(self.canonical(x) - self.canonical(y))))

    def same(self, x, y, tol: float = 1e-3) -> bool:
        return self.distance(x, y) < tol


# ------------------------------------------------------------------------------------------- Müller-Brown
MB_A = np.array([-200.0, -100.0, -170.0, 15.0])
MB_a = np.array([-1.0, -1.0, -6.5, 0.7])
MB_b = np.array([0.0, 0.0, 11.0, 0.6])
MB_c = np.array([-10.0, -10.0, -6.5, 0.7])
MB_X0 = np.array([1.0, 0.0, -0.5, -1.0])
MB_Y0 = np.array([0.0, 0.5, 1.5, 1.0])


class MullerBrown(System):
    """V(x, y) = Σ_{k=1}^4 A_k exp[a_k (x−x_k)² + b_k (x−x_k)(y−y_k) + c_k (y−y_k)²] with Müller & Brown's
    (1979) constants: three minima, two saddles."""

    dim = 2
    units = "Mueller-Brown energy units (Mueller & Brown 1979)"

    def _terms(self, x):
        dx, dy = x[0] - MB_X0, x[1] - MB_Y0
        with np.errstate(over="ignore"):  # far from the minima the fourth term overflows to +inf
            t = MB_A * np.exp(MB_a * dx * dx + MB_b * dx * dy + MB_c * dy * dy)
        return dx, dy, t

    def energy_and_gradient(self, x):
        dx, dy, t = self._terms(np.asarray(x, dtype=np.float64))
        gx = t * (2 * MB_a * dx + MB_b * dy)
        gy = t * (MB_b * dx + 2 * MB_c * dy)
        return float(t.sum()), np.array([gx.sum(), gy.sum()])

    def hessian(self, x) -> np.ndarray:
        dx, dy, t = self._terms(np.asarray(x, dtype=np.float64))
        px, py = 2 * MB_a * dx + MB_b * dy, MB_b * dx + 2 * MB_c * dy
        hxx = (t * (px * px + 2 * MB_a)).sum()
        hxy = (t * (px * py + MB_b)).sum()
        hyy = (t * (py * py + 2 * MB_c)).sum()
        return np.array([[hxx, hxy], [hxy, hyy]])

    def start(self, s) -> np.ndarray:
        """Uniform in the box [−1.5, 1.2] × [−0.2, 2]."""
        return np.array([-1.5 + 2.7 * next_double(s), -0.2 + 2.2 * next_double(s)])


# ------------------------------------------------------------------------------------- spherical p-spin
class SphericalPSpin(System):
    """E(x) = H(σ), σ = √N x/‖x‖: the p-spin on the sphere ‖σ‖² = N as an unconstrained function of x (the
    radial direction is a zero mode). At ‖x‖² = N the gradient is P∇H and, at critical points, the Hessian is
    the Riemannian Hessian P(∇²H − (σ·∇H/N)·1)P (:mod:`statmech_nn.spinglass.pspin`). For even p, σ and −σ are
    the same structure."""

    n_zero_modes = 1
    units = "H of the spherical p-spin (Auffinger, Ben Arous & Cerny 2013 normalisation)"

    def __init__(self, model):
        self.model = model
        self.dim = model.n_spins
        self.even = model.p % 2 == 0

    def _sigma(self, x):
        x = np.asarray(x, dtype=np.float64)
        r = np.linalg.norm(x)
        return x * (math.sqrt(self.dim) / r), r

    def energy_and_gradient(self, x):
        sigma, r = self._sigma(x)
        g = self.model.gradient(sigma)
        pg = g - (sigma @ g / self.dim) * sigma
        return self.model.energy(sigma), (math.sqrt(self.dim) / r) * pg

    def hessian(self, x) -> np.ndarray:
        """Exact at ‖x‖² = N: P∇²H P − (σ·g/N) P − [(Pg)σᵀ + σ(Pg)ᵀ]/N."""
        sigma, _ = self._sigma(x)
        n = self.dim
        g = self.model.gradient(sigma)
        proj = np.eye(n) - np.outer(sigma, sigma) / n
        pg = proj @ g
        return (proj @ self.model.hessian(sigma) @ proj - (sigma @ g / n) * proj
                - (np.outer(pg, sigma) + np.outer(sigma, pg)) / n)

    def normalize(self, x) -> np.ndarray:
        return self._sigma(x)[0]

    def start(self, s) -> np.ndarray:
        return self.normalize(standard_normals(s, self.dim))

    def canonical(self, x) -> np.ndarray:
        sigma = self.normalize(x)
        if self.even and sigma[np.argmax(np.abs(sigma))] < 0:
            return -sigma
        return sigma


# ------------------------------------------------------------------------------------------ network losses
class NetworkLoss(System):
    """L(θ) of an :class:`~statmech_nn.nets.mlp.Objective` whose network has one hidden layer (sizes
    (d, h, k)). Hidden unit j is (W₁[:, j], b₁[j], W₂[j, :]); relabelling the units leaves L unchanged, and so does
    flipping the sign of all three when the activation is odd (tanh). The canonical form flips each unit so its
    first read-out weight is ≥ 0 (odd activations) and sorts the units lexicographically. ``test`` (optional): a
    function θ ↦ test loss, stored per minimum."""

    units = "loss (data term + l2/2 |theta|^2)"
    gtol = 1e-9  # weight decay makes minima shallow: positions are known to ~ gtol / l2

    def __init__(self, objective, test=None, init_scale: float = 1.0):
        sizes = objective.model.sizes
        if len(sizes) != 3:
            raise ParameterError("hidden", sizes[1:-1], "one hidden layer")
        self.objective = objective
        self.dim = objective.model.n_params
        self.test = test
        self.init_scale = init_scale
        self.odd = objective.model.activation == "tanh"

    def energy(self, x) -> float:
        return float(self.objective.value(np.asarray(x, dtype=np.float64)))

    def energy_and_gradient(self, x):
        e, g = self.objective.value_and_grad(np.asarray(x, dtype=np.float64))
        return float(e), g

    def hessian(self, x) -> np.ndarray:
        h = self.objective.hessian(np.asarray(x, dtype=np.float64))
        return 0.5 * (h + h.T)

    def hvp(self, x, v) -> np.ndarray:
        return self.objective.hvp(np.asarray(x, dtype=np.float64), v)

    def start(self, s) -> np.ndarray:
        return self.init_scale * standard_normals(s, self.dim)

    def units_of(self, x) -> np.ndarray:
        """(h, d + 1 + k): one row (incoming weights, bias, outgoing weights) per hidden unit."""
        (w1, b1), (w2, b2) = self.objective.model.layers(np.asarray(x, dtype=np.float64))
        return np.concatenate([w1.T, b1[:, None], w2], axis=1)

    def canonical(self, x) -> np.ndarray:
        rows = self.units_of(x)
        d = self.objective.model.sizes[0]
        if self.odd:
            rows = rows * np.where(rows[:, d + 1] < 0, -1.0, 1.0)[:, None]
        rows = rows[np.lexsort(rows.T[::-1])]
        b2 = self.objective.model.layers(np.asarray(x, dtype=np.float64))[1][1]
        return np.concatenate([rows.ravel(), b2])


# ------------------------------------------------------------------------------------------------ quadratic
class Quadratic(System):
    """E = ½ xᵀAx (A symmetric positive definite): one minimum, the closed-form check of basin volumes."""

    units = "arbitrary"

    def __init__(self, A):
        self.A = np.asarray(A, dtype=np.float64)
        self.dim = len(self.A)

    def energy_and_gradient(self, x):
        g = self.A @ x
        return 0.5 * float(x @ g), g

    def hessian(self, x) -> np.ndarray:
        return self.A.copy()

    def start(self, s) -> np.ndarray:
        return standard_normals(s, self.dim)


def finite_difference_check(system, x, h: float = 1e-6):
    """(max |∇E − central differences of E|, max |∇²E − central differences of ∇E|), each relative to the
    largest entry (checks a system's derivatives)."""
    x = np.asarray(x, dtype=np.float64)
    grad, hess = system.gradient(x), system.hessian(x)
    num_g, num_h = np.empty_like(grad), np.empty_like(hess)
    for i in range(system.dim):
        e = np.zeros(system.dim)
        e[i] = h
        num_g[i] = (system.energy(x + e) - system.energy(x - e)) / (2 * h)
        num_h[i] = (system.gradient(x + e) - system.gradient(x - e)) / (2 * h)
    scale_g = max(np.max(np.abs(grad)), 1e-12)
    scale_h = max(np.max(np.abs(hess)), 1e-12)
    return float(np.max(np.abs(grad - num_g)) / scale_g), float(np.max(np.abs(hess - num_h)) / scale_h)
