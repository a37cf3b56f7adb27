"""Estimators on sampled function distributions, checked against exact enumeration and closed forms."""
import itertools
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.simplicity.complexity import lz_complexity
from statmech_nn.simplicity.estimators import (bootstrap, complexity_bound_fit, constant_probability, distribution,
                                               function_entropy, good_turing_unseen, mean_complexity,
                                               rank_frequency, rarefaction)
from statmech_nn.simplicity.exact import neuron_function_probabilities
from statmech_nn.simplicity.sampler import NetworkSpec, count_functions


def test_rank_frequency_sorts_and_normalises():
    ranks, p = rank_frequency([1, 5, 2, 2])
    assert np.array_equal(ranks, [1, 2, 3, 4]) and np.allclose(p, [0.5, 0.2, 0.2, 0.1])


def test_bound_fit_recovers_the_envelope_line():
    a, b = 0.4, 1.5
    k = np.repeat([7.0, 10.5, 14.0, 21.0, 28.0], 5)
    below = np.tile([0.0, 1.0, 2.5, 3.0, 6.0], 5)  # one function per K on the line, the others under it
    fit = complexity_bound_fit(2.0 ** (-a * k - b - below) * 1e9, k)  # counts ∝ P: the fit normalises
    norm = math.log2((2.0 ** (-a * k - b - below)).sum())
    assert fit["a"] == pytest.approx(a) and fit["b"] == pytest.approx(b + norm)
    assert fit["b_bound"] == pytest.approx(fit["b"])
    with pytest.raises(ParameterError):
        complexity_bound_fit([30, 40], [7.0, 7.0])
    floor = complexity_bound_fit([100, 50, 1, 1], [7.0, 14.0, 21.0, 28.0])  # count-1 maxima are left out
    assert np.array_equal(floor["k"], [7.0, 14.0]) and floor["a"] == pytest.approx(1 / 7)


def test_rarefaction_equals_enumeration_of_all_subsamples():
    counts = np.array([3, 2, 1, 1])
    labels = np.repeat(np.arange(4), counts)
    for m in range(labels.size + 1):
        mean = np.mean([len(set(labels[list(c)])) for c in itertools.combinations(range(labels.size), m)])
        assert rarefaction(counts, m)[0] == pytest.approx(mean)
    # the slope at m = N is the Good–Turing unseen mass n_1/N
    d = rarefaction(counts, [6, 7])
    assert d[1] - d[0] == pytest.approx(good_turing_unseen(counts)) == pytest.approx(2 / 7)


def test_good_turing_is_unbiased_for_the_unseen_mass_of_n_minus_one_samples():
    """E[n_1/N] = Σ p (1 − p)^(N−1), the expected unseen mass after N − 1 draws (exact); 400 multinomial draws from
    a Zipf law, tolerance 5 standard errors of their mean."""
    rng = np.random.default_rng(7)
    p = 1.0 / np.arange(1, 20001)
    p /= p.sum()
    n = 3000
    estimates = np.array([good_turing_unseen(c[c > 0]) for c in rng.multinomial(n, p, size=400)])
    exact = float((p * (1 - p) ** (n - 1)).sum())
    assert abs(estimates.mean() - exact) < 5 * estimates.std(ddof=1) / math.sqrt(estimates.size)


def test_sampled_constant_probability_matches_the_exact_neuron():
    spec = NetworkSpec(2, (), "relu", "gaussian", 1.0, 1.0)
    functions, counts = count_functions(spec, 3, 0, 256, 256).to_arrays()
    p = neuron_function_probabilities(1.0, 1.0)
    exact, total = p[0] + p[15], counts.sum()
    assert abs(constant_probability(functions, counts, 2) - exact) < 5 * math.sqrt(exact * (1 - exact) / total)


def test_distribution_contract_and_simplicity_bias_of_a_deep_net():
    table = count_functions(NetworkSpec(7, (40, 40)), 2019, 0, 64, 256)
    d = distribution(table, 7)
    assert d["n_samples"] == 64 * 256 == d["counts"].sum() and d["n_distinct"] == len(d["functions"])
    assert d["functions"].shape[1] == 2 and (np.diff(d["counts"]) <= 0).all()
    assert d["p_top"] == d["counts"][0] / d["n_samples"]
    assert np.array_equal(d["complexity"], lz_complexity(d["functions"], 7))
    fit = complexity_bound_fit(d["counts"], d["complexity"])
    assert fit["a"] > 0  # probability falls with complexity (Valle-Pérez et al. 2019, Fig. 1)


def test_bootstrap_errors_of_sample_means_match_their_closed_forms():
    """A multinomial bootstrap of a mean over N samples has standard error sd/√N; with B = 400 resamples the
    bootstrap std is within 5·(2(B − 1))^(−1/2) relative of it."""
    table = count_functions(NetworkSpec(7, (40, 40)), 2019, 0, 64, 256)
    d = distribution(table, 7)
    n_boot = 400
    result = bootstrap(d["functions"], d["counts"], d["complexity"], 7, n_boot=n_boot, seed=1)
    total, w = d["n_samples"], d["counts"] / d["n_samples"]
    p_const = constant_probability(d["functions"], d["counts"], 7)
    k_mean = mean_complexity(d["counts"], d["complexity"])
    closed = {"p_constant": math.sqrt(p_const * (1 - p_const) / total),
              "mean_complexity": math.sqrt(w @ (d["complexity"] - k_mean) ** 2 / total)}
    tol = 5 / math.sqrt(2 * (n_boot - 1))
    for name, sd in closed.items():
        assert abs(result[name][1] / sd - 1) < tol, name
    assert result["entropy"][0] == function_entropy(d["counts"]) and result["entropy"][1] > 0
    assert result["a"][1] > 0
