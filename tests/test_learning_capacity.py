"""Capacity of the spherical perceptron: Cover's count, Gardner's α_c and the exact separability tests."""
import itertools
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.learning.capacity import (capacity_curve, cover_count, cover_fraction, gardner_alpha_c,
                                           is_separable, optimal_stability, separability_trials)


def brute_force_count(X):
    """Number of label vectors y ∈ {±1}^P for which the points X are separable (LP per dichotomy)."""
    return sum(is_separable(X, np.array(y)) for y in itertools.product((-1, 1), repeat=len(X)))


@pytest.mark.parametrize("N", [2, 3])
def test_cover_count_matches_enumerated_dichotomies(N):
    gen = np.random.default_rng(12345 + N)
    for P in range(1, 7):
        X = gen.standard_normal((P, N))  # general position with probability 1
        assert brute_force_count(X) == cover_count(P, N), (P, N)


def test_cover_negative_control_detects_wrong_formula():
    # a count with k ≤ N instead of k < N (the affine count in R^N) disagrees with the enumeration
    X = np.random.default_rng(7).standard_normal((5, 2))
    wrong = 2 * sum(math.comb(4, k) for k in range(3))
    assert brute_force_count(X) != wrong


def test_cover_closed_forms():
    for N in (1, 5, 17):
        assert cover_fraction(2 * N, N) == 0.5
        assert cover_count(N, N) == 2**N  # P ≤ N: every dichotomy separable
    assert cover_fraction(3 * 10, 10) < 0.05


def test_gardner_capacity():
    assert gardner_alpha_c(0.0) == pytest.approx(2.0, abs=1e-14)
    # against direct quadrature of 1/∫_{-κ}^∞ Dt (t+κ)²
    from scipy.integrate import quad
    for k in (0.5, 1.0, 2.0):
        integral = quad(lambda t: (t + k) ** 2 * math.exp(-t * t / 2) / math.sqrt(2 * math.pi), -k, np.inf)[0]
        assert gardner_alpha_c(k) == pytest.approx(1 / integral, rel=1e-10)
    assert gardner_alpha_c(1.0) < gardner_alpha_c(0.5) < 2.0


def test_optimal_stability_agrees_with_lp_and_is_optimal():
    gen = np.random.default_rng(3)
    N = 12
    for P in (6, 18, 24, 30):
        X = gen.choice([-1.0, 1.0], size=(P, N))
        y = gen.choice([-1.0, 1.0], size=P)
        kappa, w = optimal_stability(X, y)
        assert (kappa > 0) == is_separable(X, y)
        if w is not None:
            assert np.dot(w, w) == pytest.approx(N)
            assert np.min(y * (X @ w)) / math.sqrt(N) == pytest.approx(kappa, abs=1e-9)
            # KKT check: no random perturbation of w improves the minimum stability
            for _ in range(20):
                v = w + 0.05 * gen.standard_normal(N)
                v *= math.sqrt(N) / np.linalg.norm(v)
                assert np.min(y * (X @ v)) / math.sqrt(N) <= kappa + 1e-12


def test_separable_fraction_at_half_capacity_point():
    N, trials = 25, 400
    res = capacity_curve(N, [2.0], trials, seed=2024)
    assert res["separable_fraction_theory"][0] == 0.5 and res["alpha_c_theory"] == 2.0
    sigma = math.sqrt(0.25 / trials)  # binomial error of the theory value
    assert abs(res["separable_fraction"][0] - 0.5) < 4.5 * sigma
    # negative control: the same tolerance rejects Cover's fraction four patterns further on
    assert abs(res["separable_fraction"][0] - cover_fraction(2 * N + 4, N)) > 4.5 * sigma


def test_trials_are_reproducible_in_chunks():
    whole = separability_trials(10, 20, 5, 3, range(12))
    parts = np.concatenate([separability_trials(10, 20, 5, 3, range(0, 5)),
                            separability_trials(10, 20, 5, 3, range(5, 12))])
    assert np.array_equal(whole, parts)


def test_margin_separability_below_gardner_capacity():
    # κ = 0.5: α_c ≈ 0.96; at α = 0.4 every set, at α = 2 none, has stability ≥ κ (N = 40)
    assert separability_trials(40, 16, 1, 0, range(10), kappa=0.5).all()
    assert not separability_trials(40, 80, 1, 1, range(10), kappa=0.5).any()


@pytest.mark.parametrize("call, name", [
    (lambda: cover_count(3, 0), "N"),
    (lambda: gardner_alpha_c(-0.1), "kappa"),
    (lambda: capacity_curve(10, [0.0], 5, 0), "alpha"),
    (lambda: capacity_curve(10, [-1.0], 5, 0), "alpha"),
    (lambda: separability_trials(1, 3, 0, 0, range(2)), "N"),
    (lambda: capacity_curve(10, [1.0], 0, 0), "trials"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name
