"""Ising-weight perceptrons: Krauth–Mézard capacity and Györgyi's transition (RS) against exact enumeration."""
import itertools
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.learning.ising_perceptron import (enumerate_solutions, ising_gibbs_entropy,
                                                   ising_gibbs_error_theory, ising_gibbs_trials,
                                                   ising_gibbs_transition, krauth_mezard_alpha_c,
                                                   storable_fraction, storable_trials, storage_entropy)
from statmech_nn.learning.teacher_student import error_from_overlap, hebb_overlap


def test_krauth_mezard_and_gyorgyi_values():
    assert krauth_mezard_alpha_c() == pytest.approx(0.833, abs=1e-3)    # Krauth & Mézard 1989
    assert ising_gibbs_transition() == pytest.approx(1.245, abs=1e-3)   # Györgyi 1990


def test_rs_entropies_limits():
    # α → 0: the annealed ln 2 (1 − α) of random patterns; R → 1: only the teacher left, s = 0
    assert storage_entropy(1e-3) == pytest.approx(math.log(2) * (1 - 1e-3), abs=1e-4)
    assert ising_gibbs_entropy(1e-9, 0.5) == pytest.approx(math.log(2) * (1 - 0.5), abs=1e-6)
    assert abs(ising_gibbs_entropy(1 - 1e-9, 1.0)) < 1e-3
    err = ising_gibbs_error_theory([0.5, 1.2, 1.3])
    assert 0.25 < err[1] < err[0] < 0.5 and err[2] == 0.0  # the jump to ε = 0


def test_enumeration_kernel_against_brute_force():
    gen = np.random.default_rng(9)
    N, P = 7, 6
    W = np.array(list(itertools.product((-1, 1), repeat=N)))
    for _ in range(5):
        G = gen.choice(np.array([-1, 1], dtype=np.int8), size=(P, N))
        ref = gen.choice(np.array([-1, 1], dtype=np.int8), size=N)
        ok = np.all(W @ G.T > 0, axis=1)
        R = W[ok] @ ref / N
        count, sum_r, sum_eps = enumerate_solutions(G, ref, False)
        assert count == ok.sum()
        assert sum_r == pytest.approx(R.sum()) and sum_eps == pytest.approx(error_from_overlap(R).sum())
        assert enumerate_solutions(G, ref, True)[0] == min(1, count)
    # negative control: flipping one label changes the solution count of this instance
    G[0] *= -1
    assert enumerate_solutions(G, ref, False)[0] != np.all(W @ G.T > 0, axis=1).sum() + 1


def test_ising_gibbs_learning_by_enumeration():
    eps, unique = ising_gibbs_trials(17, 0.5, 3, 0, range(20))
    err = eps.std(ddof=1) / math.sqrt(len(eps))
    theory = ising_gibbs_error_theory([0.5])[0]
    assert abs(eps.mean() - theory) < 4.5 * err + 0.01 and not unique.any()
    # negative control: the same tolerance rejects the Hebb curve
    assert abs(eps.mean() - error_from_overlap(hebb_overlap(0.5))) > 4.5 * err + 0.01
    # well past the transition the teacher is (almost always) the only weight vector left
    _, unique = ising_gibbs_trials(17, 2.5, 3, 1, range(20))
    assert unique.mean() > 0.7


def test_storage_fraction_falls_around_krauth_mezard():
    res = storable_fraction(15, [0.4, 1.4], 20, seed=6)
    assert res["alpha_c_theory"] == pytest.approx(0.833, abs=1e-3)
    assert res["separable_fraction"][0] == 1.0 and res["separable_fraction"][1] < 0.2


@pytest.mark.parametrize("call, name", [
    (lambda: storable_trials(8, 3, 0, 0, range(1)), "N"),
    (lambda: storable_trials(33, 3, 0, 0, range(1)), "N"),
    (lambda: ising_gibbs_trials(9, -1.0, 0, 0, range(1)), "alpha"),
    (lambda: storage_entropy(0.0), "alpha"),
    (lambda: storable_fraction(9, [0.5], 0, 0), "trials"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name
