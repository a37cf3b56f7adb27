"""Spectrum of JJᵀ for the input–output Jacobian of a deep random network, by free probability (Pennington,
Schoenholz & Ganguli, "Resurrecting the sigmoid in deep learning through dynamical isometry", NIPS 2017).

For x^l = φ(h^l), h^l = W^l x^{l−1} + b^l the Jacobian is J = ∂x^L/∂x^0 = D^L W^L ⋯ D^1 W^1, D^l = diag φ'(h^l).
With inputs at the fixed point q* the D^l are identically distributed, d = φ'(√q* z)², z ~ N(0, 1); as N → ∞ the
factors are asymptotically free and the S-transforms multiply:

    S_{JJᵀ}(m) = S_{WWᵀ}(m)^L S_{D²}(m)^L,
    S_{WWᵀ} = 1/(σ_w² (1 + m)) (Gaussian; Marchenko–Pastur),  1/σ_w² (orthogonal).

Transforms of a law ρ: G(z) = ∫ ρ(x)/(z − x) dx, h(z) = z G(z) − 1 = Σ_k m_k z^{−k}, S(m) = (1 + m)/(m h^{−1}(m)).

Moments. For a law with mean 1 and moments m₂, m₃, inverting h gives S(m) = 1 + (1 − m₂) m + (2m₂² − m₂ − m₃) m² + …,
so log S(m) − log S(0) = κ₁ m + κ₂ m² + … with κ₁ = 1 − m₂, κ₂ = 2m₂² − m₂ − m₃ − κ₁²/2. log S is additive under
free products: κ₁, κ₂ of JJᵀ (normalised to mean 1) are L times those of WWᵀ plus L times those of D², and the
mean is (σ_w² μ₁)^L = χ₁^L with μ_k = E[φ'(√q* z)^{2k}]. Hence, exactly for every L as N → ∞ (not only near
isometry),

    Var(λ) / E[λ]² = L (μ₂/μ₁² − 1 − s₁),   s₁ = −1 (Gaussian), 0 (orthogonal)

(Pennington et al.'s σ²_{JJᵀ}; at criticality E[λ] = 1), and E[λ³] follows from κ₂ (:func:`jjt_moments`).

Density. Put u = h_{D²}^{−1}(m), i.e. m = E[d/(u − d)]; then S_{D²}(m) = (1 + m)/(m u) and h_{JJᵀ}^{−1}(m) = z gives

    z = F(u) = σ_w^{2L} (1 + m)^{e} m^{L−1} u^L,   e = 1 (Gaussian), 1 − L (orthogonal),   m = m(u),

one complex equation for u. σ_w² only scales the law, so :func:`jjt_density` solves it for λ/E[λ] (σ_w² = 1/μ₁)
and rescales. F(u) = x + iε is solved by damped Newton on log F, continued from large |z| (where u ≈ μ₁ z / E[λ])
down to Im z = ε and then along the x grid (restarting from far off the axis where a root gives ρ < 0, i.e. the
wrong branch), and ρ(x) = −Im G(x + iε)/π with G = (1 + m)/z. The law of d is a dense quadrature rule: the sinh-mapped trapezoid rule of :mod:`.quadrature` with
a step 20× finer (smooth φ), or its exact atoms (ReLU, hard-tanh, linear: d ∈ {0, 1}). An atom of d at 0 (mass p₀)
gives JJᵀ an atom p₀ at 0 (the kernel of the last D); it is returned separately and removed from ρ.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .activations import HARD_TANH, LINEAR, RELU, activation
from .quadrature import H, Z_MAX

WEIGHT_LAWS = ("gaussian", "orthogonal")
REFINE = 20           # the d-law rule has step H / REFINE in t
NEWTON_TOL = 1e-12    # |Δ log F| at convergence
MAX_NEWTON = 60


@dataclass(frozen=True)
class D2Law:
    """The law of d = φ'(√q z)², z ~ N(0, 1), as atoms ``values`` with ``weights`` summing to 1."""

    values: np.ndarray
    weights: np.ndarray

    def moment(self, k: int) -> float:
        """μ_k = E[d^k] = E[φ'(√q z)^{2k}]."""
        return float(self.weights @ self.values**k)

    @property
    def atom_zero(self) -> float:
        return float(self.weights[self.values == 0.0].sum())

    def h(self, u: complex) -> tuple[complex, complex]:
        """(m, dm/du) with m = h_{D²}(u) = E[d/(u − d)]."""
        r = 1.0 / (u - self.values)
        return complex(self.weights @ (self.values * r)), complex(-(self.weights @ (self.values * r * r)))


def d2_law(phi, q: float) -> D2Law:
    """The law of φ'(√q z)²: exact atoms for ReLU, hard-tanh and linear, else a dense quadrature rule in z."""
    a = activation(phi)
    if not q >= 0 or not math.isfinite(q):
        raise ValueError(f"q must be finite and >= 0, got {q}")
    if a.kernel == LINEAR:
        return D2Law(np.array([1.0]), np.array([1.0]))
    if a.kernel == RELU:
        return D2Law(np.array([0.0, 1.0]), np.array([0.5, 0.5]))
    if a.kernel == HARD_TANH:
        p_in = math.erf(1.0 / math.sqrt(2.0 * q)) if q > 0 else 1.0
        return D2Law(np.array([0.0, 1.0]), np.array([1.0 - p_in, p_in]))
    b = 1.0 if q <= 1.0 else 1.0 / math.sqrt(q)
    step = H / REFINE
    t = step * np.arange(-math.ceil(math.asinh(Z_MAX / b) / step), math.ceil(math.asinh(Z_MAX / b) / step) + 1)
    z = b * np.sinh(t)
    w = np.cosh(t) * np.exp(-0.5 * z * z)
    dphi = np.vectorize(a.dphi.ctypes, otypes=[float])(math.sqrt(q) * z)
    return D2Law(dphi**2, w / w.sum())


def _check_weights(weights: str) -> None:
    if weights not in WEIGHT_LAWS:
        raise ValueError(f"unknown weights {weights!r}; known: {', '.join(WEIGHT_LAWS)}")


def _log_s_coefficients(m2: float, m3: float) -> tuple[float, float]:
    """(κ₁, κ₂) of log(S(m)/S(0)) = κ₁ m + κ₂ m² + … for a law with mean 1 and moments m2, m3."""
    k1 = 1.0 - m2
    return k1, 2.0 * m2 * m2 - m2 - m3 - 0.5 * k1 * k1


def jjt_moments(phi, sigma_w2: float, q: float, depth: int, weights: str) -> tuple[float, float, float]:
    """(E[λ], E[λ²], E[λ³]) of the eigenvalues λ of JJᵀ as N → ∞, exact for every depth (module docstring)."""
    _check_weights(weights)
    law = d2_law(phi, q)
    mu1, mu2, mu3 = (law.moment(k) for k in (1, 2, 3))
    kd = _log_s_coefficients(mu2 / mu1**2, mu3 / mu1**3)
    kw = _log_s_coefficients(2.0, 5.0) if weights == "gaussian" else (0.0, 0.0)  # Marchenko–Pastur: 1, 2, 5
    k1, k2 = depth * (kd[0] + kw[0]), depth * (kd[1] + kw[1])
    m2 = 1.0 - k1
    m3 = 2.0 * m2 * m2 - m2 - (k2 + 0.5 * k1 * k1)
    mean = (sigma_w2 * mu1) ** depth
    return mean, m2 * mean**2, m3 * mean**3


def jjt_variance(phi, sigma_w2: float, q: float, depth: int, weights: str) -> float:
    """Var(λ) = E[λ]² L (μ₂/μ₁² − 1 − s₁): Pennington et al.'s σ²_{JJᵀ} (E[λ] = χ₁^L = 1 at criticality)."""
    _check_weights(weights)
    law = d2_law(phi, q)
    mu1, mu2 = law.moment(1), law.moment(2)
    s1 = -1.0 if weights == "gaussian" else 0.0
    return (sigma_w2 * mu1) ** (2 * depth) * depth * (mu2 / mu1**2 - 1.0 - s1)


@dataclass(frozen=True)
class Density:
    """ρ(x) of the eigenvalues of JJᵀ on the grid ``x`` (continuous part) and the mass ``atom_zero`` at x = 0."""

    x: np.ndarray
    rho: np.ndarray
    atom_zero: float
    eps: np.ndarray       # Im z at each point

    def singular_values(self) -> tuple[np.ndarray, np.ndarray]:
        """(s, ρ_s(s)) for s = √x: ρ_s(s) = 2 s ρ(s²)."""
        s = np.sqrt(self.x)
        return s, 2.0 * s * self.rho


class _Equation:
    """log F(u) − log z and its u-derivative (module docstring)."""

    def __init__(self, law: D2Law, sigma_w2: float, depth: int, weights: str):
        self.law, self.depth = law, depth
        self.e = 1.0 if weights == "gaussian" else 1.0 - depth
        self.log_scale = depth * math.log(sigma_w2)

    def residual(self, u: complex, z: complex) -> tuple[complex, complex, complex]:
        """(r, dr/du, m) with r = log F(u) − log z, its imaginary part wrapped to (−π, π]."""
        m, dm = self.law.h(u)
        L = self.depth
        r = self.log_scale + self.e * np.log(1 + m) + (L - 1) * np.log(m) + L * np.log(u) - np.log(z)
        r = complex(r.real, (r.imag + math.pi) % (2 * math.pi) - math.pi)
        return r, (self.e / (1 + m) + (L - 1) / m) * dm + L / u, m

    def solve(self, z: complex, u: complex) -> tuple[complex, complex] | None:
        """Damped Newton from ``u``: (u, m) at F(u) = z, or None without convergence."""
        r, dr, m = self.residual(u, z)
        for _ in range(MAX_NEWTON):
            step = r / dr
            for _ in range(30):  # halve the step until |r| decreases
                trial = u - step
                if trial != 0:
                    r_new, dr_new, m_new = self.residual(trial, z)
                    if abs(r_new) < abs(r) or abs(r) < 1e-14:
                        break
                step *= 0.5
            else:
                return None
            u, r, dr, m = trial, r_new, dr_new, m_new
            if abs(step) <= NEWTON_TOL * abs(u) and abs(r) < 1e-10:
                return u, m
        return (u, m) if abs(r) < 1e-10 else None


def jjt_density(phi, sigma_w2: float, q: float, depth: int, weights: str, x, eps=None) -> Density:
    """ρ(x) of the eigenvalues of JJᵀ (N → ∞) on the increasing grid ``x`` > 0, from the S-transform equation at
    z = x + iε; ``eps`` a number or one per point (default 1e-4 x: a Poisson smoothing of relative width 1e-4,
    much finer than any histogram bin)."""
    _check_weights(weights)
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2 or np.any(np.diff(x) <= 0) or x[0] <= 0:
        raise ValueError("x must be an increasing 1-D grid of positive numbers")
    eps = np.broadcast_to(1e-4 * x if eps is None else np.asarray(eps, dtype=float), x.shape)
    law = d2_law(phi, q)
    mean = (sigma_w2 * law.moment(1)) ** depth
    # λ/E[λ] has the law of the same problem at σ_w² = 1/μ₁ (σ_w² only scales): solve that one, then rescale
    eq = _Equation(law, 1.0 / law.moment(1), depth, weights)
    xn = x / mean
    m, used = np.empty(x.size, dtype=complex), np.array(eps, dtype=float) / mean
    u = z = None
    for i in range(x.size - 1, -1, -1):  # continuation from the right end, which is reached from far away
        for attempt in range(8):
            target = complex(xn[i], used[i])
            try:
                if u is None:
                    raise RuntimeError("no starting point")
                u, m[i] = _physical(_continue(eq, z, target, u), target, law.atom_zero)
                break
            except RuntimeError:
                try:  # restart from far off the axis, where u ≈ μ₁ z (m ≈ 1/z)
                    u, m[i] = _physical(_descend(eq, target, law.moment(1)), target, law.atom_zero)
                    break
                except RuntimeError:
                    used[i] *= 4.0  # the atoms of the d-law make the root ill-conditioned here (outside the bulk)
        else:
            raise RuntimeError(f"no convergence of the S-transform equation at x = {x[i]}")
        z = target
    g = (1 + m - law.atom_zero) / (xn + 1j * used)
    return Density(x, -g.imag / (math.pi * mean), law.atom_zero, used * mean)


def _physical(root: tuple[complex, complex], z: complex, atom_zero: float) -> tuple[complex, complex]:
    """``root`` if it gives ρ = −Im G/π ≥ 0 (the branch continued from z = ∞), else RuntimeError."""
    u, m = root
    g = (1 + m - atom_zero) / z
    if g.imag > 1e-9 * abs(g):
        raise RuntimeError(f"unphysical root at z = {z}")
    return root


def _descend(eq: _Equation, target: complex, slope: float) -> tuple[complex, complex]:
    """The root at ``target`` followed down from Im z = 10 (|Re z| + 1), where u ≈ slope · z."""
    z = complex(target.real, 10.0 * (abs(target.real) + 1.0))
    u = slope * z
    for y in np.geomspace(z.imag, target.imag, 60)[1:]:
        u, m = _continue(eq, z, complex(target.real, y), u)
        z = complex(target.real, y)
    return u, m


def _continue(eq: _Equation, z0: complex, z1: complex, u: complex, depth: int = 0) -> tuple[complex, complex]:
    """Follow the root from z0 (at u) to z1, bisecting the path where Newton fails."""
    out = eq.solve(z1, u)
    if out is not None:
        return out
    if depth > 12:
        raise RuntimeError(f"no convergence of the S-transform equation at z = {z1}")
    mid = 0.5 * (z0 + z1)
    u_mid, _ = _continue(eq, z0, mid, u, depth + 1)
    return _continue(eq, mid, z1, u_mid, depth + 1)


def jjt_predictions(phi, sigma_w2: float, q: float, depth: int, weights: str, points: int = 400) -> dict:
    """Every prediction for the eigenvalues λ of JJᵀ at (σ_w², q, L): χ₁ = σ_w² μ₁, μ₁, μ₂, E[λ], Var λ, E[λ³]
    (``jjt_*_predicted``), and the density ρ(λ) on ``points`` points uniform in s = √λ up to
    √(E[λ] + 10 sd) (``density_x``, ``density``; the atom at 0 and the ε used in ``density_atom_zero``,
    ``density_eps``). Scalars as numpy float64."""
    law = d2_law(phi, q)
    m1, m2, m3 = jjt_moments(phi, sigma_w2, q, depth, weights)
    sd = math.sqrt(max(m2 - m1 * m1, 0.0))
    hi = m1 + 10.0 * sd if sd > 0 else 2.0 * m1
    s = np.linspace(1.0 / points, 1.0, points) * math.sqrt(hi)
    density = jjt_density(phi, sigma_w2, q, depth, weights, s**2)
    values = {"chi1": sigma_w2 * law.moment(1), "mu1": law.moment(1), "mu2": law.moment(2),
              "jjt_mean_predicted": m1, "jjt_variance_predicted": jjt_variance(phi, sigma_w2, q, depth, weights),
              "jjt_moment3_predicted": m3, "density_atom_zero": density.atom_zero, "density_eps": density.eps}
    return {**{k: np.float64(v) for k, v in values.items()}, "density_x": density.x, "density": density.rho}
