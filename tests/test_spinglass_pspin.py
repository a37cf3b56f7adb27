"""Spherical p-spin: derivatives against finite differences, the sphere's Lagrange term, the ABČ normalisation."""
import math

import numpy as np
import pytest
from scipy import stats

from statmech_nn.spinglass.pspin import pspin_from_couplings, pspin_model, random_sphere_points, tangent_basis

PS = [2, 3, 4, 5]


@pytest.mark.parametrize("p", PS)
def test_euclidean_gradient_and_hessian_match_finite_differences(p):
    model = pspin_model(9, p, 11)
    s = random_sphere_points(9, 1, 11, 1)[0]
    eps = 1e-5
    basis = np.eye(9)
    fd_grad = np.array([(model.energy(s + eps * e) - model.energy(s - eps * e)) / (2 * eps) for e in basis])
    fd_hess = np.array([(model.gradient(s + eps * e) - model.gradient(s - eps * e)) / (2 * eps) for e in basis])
    np.testing.assert_allclose(model.gradient(s), fd_grad, atol=1e-7)
    np.testing.assert_allclose(model.hessian(s), fd_hess, atol=1e-7)
    assert model.gradient(s) @ s == pytest.approx(p * model.energy(s), rel=1e-12)  # Euler: homogeneous of degree p


def _geodesic(s, v, t):
    """The great circle through s (‖s‖² = N) with initial velocity v ⊥ s."""
    r, speed = math.sqrt(s @ s), np.linalg.norm(v)
    return math.cos(speed * t / r) * s + r * math.sin(speed * t / r) * v / speed


@pytest.mark.parametrize("p", PS)
def test_riemannian_derivatives_are_derivatives_along_geodesics(p):
    """d/dt H(γ(t)) = v·grad_S H and d²/dt² H(γ(t)) = vᵀ Hess_S v at t = 0 for every tangent v. The Hessian
    without the Lagrange term −(σ·∇H/N) I fails the same comparison (negative control)."""
    n = 9
    model = pspin_model(n, p, 12)
    s = random_sphere_points(n, 1, 12, 1)[0]
    v = tangent_basis(s) @ np.random.default_rng(3).standard_normal(n - 1)
    h = 1e-4
    f = [model.energy(_geodesic(s, v, t)) for t in (-h, 0.0, h)]
    first, second = (f[2] - f[0]) / (2 * h), (f[2] - 2 * f[1] + f[0]) / h ** 2
    assert v @ model.riemannian_gradient(s) == pytest.approx(first, rel=1e-6, abs=1e-7)
    assert v @ model.riemannian_hessian(s) @ v == pytest.approx(second, rel=1e-5, abs=1e-5)
    proj = np.eye(n) - np.outer(s, s) / n
    without_lagrange = v @ proj @ model.hessian(s) @ proj @ v
    assert abs(without_lagrange - second) > 1e-2 * abs(p * model.energy(s) / n) * (v @ v)


@pytest.mark.parametrize("p", PS)
def test_energy_variance_has_the_abc_normalisation(p):
    """At σ ∈ {±1}^N (on the sphere) Var H = p! C(N,p) N^{−(p−1)}, i.e. Var(H/N) = (N)_p / N^{p+1} → 1/N, the
    covariance N(σ·σ'/N)^p of ABČ. Sample variance of M draws: (M−1)s²/v ~ χ²(M−1), two-sided 1e-4. The same
    draws without the √p! factor are rejected (negative control)."""
    n, draws = 8, 3000
    rng = np.random.default_rng(100 + p)
    s = 1.0 - 2.0 * rng.integers(0, 2, n)
    h = np.array([pspin_from_couplings(n, p, rng.standard_normal(math.comb(n, p))).energy(s) / n
                  for _ in range(draws)])
    expected = math.perm(n, p) / n ** (p + 1)
    lo, hi = stats.chi2.ppf([5e-5, 1 - 5e-5], draws) / draws  # the mean is known (0): M degrees of freedom
    assert lo < np.mean(h ** 2) / expected < hi
    assert not lo < np.mean(h ** 2) / math.factorial(p) / expected < hi
    assert abs(expected * n - 1.0) < p * p / n  # → 1/N as N → ∞
