"""The random-network function sampler and its count table: exact laws, reproducibility, merging, bad input."""
import math

import numba
import numpy as np
import pytest
from scipy import stats

from statmech_nn.errors import ParameterError
from statmech_nn.simplicity.complexity import ones
from statmech_nn.simplicity.exact import neuron_function_probabilities, perceptron_ones_law
from statmech_nn.simplicity.sampler import (_draw_layer, NetworkSpec, block_states, count_functions,
                                            sample_functions)
from statmech_nn.simplicity.table import FunctionTable

ALPHA = 1e-4  # a correct sampler fails a χ² test below with this probability


def chi2_statistic(observed, expected):
    """(Pearson χ², degrees of freedom); χ² = ∞ if an outcome of probability 0 was observed."""
    keep = expected > 0
    chi2 = float(((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum())
    return (chi2 if observed[~keep].sum() == 0 else math.inf), int(keep.sum()) - 1


def ones_histogram(spec, seed, n_blocks=512):
    functions, counts = count_functions(spec, seed, 0, n_blocks, 256).to_arrays()
    return np.bincount(ones(functions), weights=counts, minlength=(1 << spec.n) + 1), counts.sum()


@pytest.mark.parametrize("n, weights", [(7, "gaussian"), (7, "orthogonal"), (3, "gaussian")])
def test_bias_free_perceptron_gives_every_number_of_ones_equal_probability(n, weights):
    observed, total = ones_histogram(NetworkSpec(n, (), "relu", weights, 1.0, 0.0), seed=11)
    chi2, dof = chi2_statistic(observed, total * perceptron_ones_law(n))
    assert chi2 < stats.chi2.isf(ALPHA, dof)


def test_biased_perceptron_fails_the_equal_ones_test():
    """Negative control: with a bias the law of the number of ones is no longer uniform, and the test sees it."""
    observed, total = ones_histogram(NetworkSpec(7, (), "relu", "gaussian", 1.0, 1.0), seed=11)
    chi2, dof = chi2_statistic(observed, total * perceptron_ones_law(7))
    assert chi2 > stats.chi2.isf(ALPHA, dof)


def neuron_counts(weights, sigma_b2, seed=5):
    spec = NetworkSpec(2, (), "relu", weights, 1.0, sigma_b2)
    functions, counts = count_functions(spec, seed, 0, 1024, 256).to_arrays()
    return np.bincount(functions[:, 0].astype(np.int64), weights=counts, minlength=16), counts.sum()


@pytest.mark.parametrize("sigma_b2", [1.0, 0.3])
def test_one_neuron_with_bias_matches_the_exact_cone_measures(sigma_b2):
    observed, total = neuron_counts("gaussian", sigma_b2)
    chi2, dof = chi2_statistic(observed, total * neuron_function_probabilities(1.0, sigma_b2))
    assert dof == 13 and chi2 < stats.chi2.isf(ALPHA, dof)


def test_uniform_weights_fail_the_gaussian_cone_measures():
    """Negative control: same variance, another law of w; the χ² test rejects it."""
    observed, total = neuron_counts("uniform", 1.0)
    chi2, dof = chi2_statistic(observed, total * neuron_function_probabilities(1.0, 1.0))
    assert chi2 > stats.chi2.isf(ALPHA, dof)


@pytest.mark.parametrize("fan_in, fan_out", [(7, 40), (40, 40), (40, 7), (40, 1)])
def test_orthogonal_layers_are_scaled_semi_orthogonal(fan_in, fan_out):
    sigma_w = 1.3
    w, b, g = np.empty((40, 40), np.float32), np.empty(40, np.float32), np.empty(1600)
    _draw_layer(block_states(3, 0, 1)[0], 2, fan_in, fan_out, sigma_w, 0.5, w, b, g)
    w = w[:fan_out, :fan_in].astype(float)
    if fan_out >= fan_in:
        assert np.allclose(w.T @ w, sigma_w ** 2 * fan_out / fan_in * np.eye(fan_in), atol=1e-5)
    else:
        assert np.allclose(w @ w.T, sigma_w ** 2 * np.eye(fan_out), atol=1e-5)


@pytest.mark.parametrize("law", [0, 1])
def test_weight_entries_have_variance_sigma_w2_over_fan_in(law):
    """Mean of W² over 10^4 entries ≈ σ_w²/fan_in within 5 standard errors (entries independent)."""
    fan_in, fan_out, sigma_w = 100, 100, 0.7
    w, b, g = np.empty((fan_out, fan_in), np.float32), np.empty(fan_out, np.float32), np.empty(fan_in * fan_out)
    _draw_layer(block_states(4, 0, 1)[0], law, fan_in, fan_out, sigma_w, 0.5, w, b, g)
    sq = w.astype(float).ravel() ** 2
    assert abs(sq.mean() - sigma_w ** 2 / fan_in) < 5 * sq.std() / math.sqrt(sq.size)


SPEC = NetworkSpec(7, (12, 9), "tanh", "gaussian", 1.5, 0.4)


def test_same_functions_for_one_and_two_threads_and_any_chunking():
    states = block_states(9, 0, 8)
    numba.set_num_threads(1)
    try:
        one = sample_functions(SPEC, states.copy(), 32)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    two = sample_functions(SPEC, states.copy(), 32)
    chunks = np.concatenate([sample_functions(SPEC, block_states(9, 0, 3), 32),
                             sample_functions(SPEC, block_states(9, 3, 5), 32)])
    assert np.array_equal(one, two) and np.array_equal(one, chunks)
    assert len({bytes(r) for r in one}) > 20  # the networks differ from one another
    other_seed = sample_functions(SPEC, block_states(10, 0, 8), 32)
    assert not np.array_equal(one, other_seed)


def test_runs_of_consecutive_blocks_merge_into_the_run_of_all_blocks():
    whole = count_functions(SPEC, 2, 0, 12, 16, chunk_blocks=5)
    first = count_functions(SPEC, 2, 0, 6, 16, chunk_blocks=4)
    second = count_functions(SPEC, 2, 6, 6, 16, chunk_blocks=6)
    checkpoint = first.to_arrays(canonical=False)
    merged = first.merge(second)
    assert merged.n_samples == whole.n_samples == 12 * 16
    for a, b in zip(merged.to_arrays(), whole.to_arrays()):
        assert np.array_equal(a, b)
    resumed = count_functions(SPEC, 2, 6, 6, 16, table=FunctionTable.from_arrays(*checkpoint))
    assert all(np.array_equal(a, b) for a, b in zip(resumed.to_arrays(), whole.to_arrays()))


def test_sampled_states_advance_in_place():
    states = block_states(9, 0, 2)
    before = states.copy()
    sample_functions(SPEC, states, 4)
    assert not np.array_equal(states, before)


@pytest.mark.parametrize("activation", ["relu", "erf", "linear"])
def test_every_activation_and_law_runs(activation):
    for weights in ("gaussian", "uniform", "orthogonal"):
        f = sample_functions(NetworkSpec(4, (6,), activation, weights), block_states(1, 0, 2), 8)
        assert f.shape == (16, 1) and (f < (1 << 16)).all()


def test_table_counts_equal_exact_enumeration_and_survive_growth():
    rng = np.random.default_rng(6)
    keys = rng.integers(0, 50, (5000, 2)).astype(np.uint64)  # many repeats
    table = FunctionTable(2, capacity=16).add(keys[:2000]).add(keys[2000:])
    functions, counts = table.to_arrays()
    unique, expected = np.unique(keys, axis=0, return_counts=True)
    assert table.n_distinct == len(unique) and table.n_samples == 5000
    assert {bytes(f): c for f, c in zip(functions, counts)} == {bytes(u): c for u, c in zip(unique, expected)}
    assert (np.diff(counts) <= 0).all()
    rebuilt = FunctionTable.from_arrays(functions, counts)
    assert all(np.array_equal(a, b) for a, b in zip(rebuilt.to_arrays(), (functions, counts)))


@pytest.mark.parametrize("field, value", [("n", 0), ("n", 21), ("n", 2.5), ("activation", "sigmoid"),
                                          ("weights", "cauchy"), ("sigma_w2", -1.0), ("sigma_w2", 0.0),
                                          ("sigma_b2", -0.1), ("sigma_b2", float("nan")), ("sigma_b2", "1"),
                                          ("widths", (40, 0)), ("widths", "x")])
def test_bad_parameters_are_rejected(field, value):
    args = {"n": 7, "widths": (4,), "activation": "relu", "weights": "gaussian", "sigma_w2": 1.0, "sigma_b2": 1.0}
    args[field] = value
    with pytest.raises(ParameterError, match=field):
        NetworkSpec(**args)


def test_bad_block_arguments_are_rejected():
    with pytest.raises(ParameterError, match="block_size"):
        sample_functions(SPEC, block_states(1, 0, 1), 0)
    with pytest.raises(ParameterError, match="block_size"):
        count_functions(SPEC, 1, 0, 1, 0)
    with pytest.raises(ParameterError, match="states"):
        sample_functions(SPEC, np.zeros((2, 3), np.uint64), 4)
    with pytest.raises(ParameterError, match="table"):
        count_functions(SPEC, 1, 0, 1, 4, table=FunctionTable(1))


def test_polar_normals_pass_kolmogorov_smirnov_and_a_rescaled_copy_fails():
    from statmech_nn.simplicity.sampler import _normals

    g = np.empty(400_000)
    _normals(block_states(8, 0, 1)[0], g, g.size)
    assert stats.kstest(g, "norm").pvalue > ALPHA
    assert stats.kstest(1.03 * g, "norm").pvalue < ALPHA  # negative control: a 3 % error in σ is seen


def test_variances_are_stored_as_floats():
    spec = NetworkSpec(3, [5], sigma_w2=np.float32(2), sigma_b2=0)
    assert spec.widths == (5,) and type(spec.sigma_w2) is float and spec.sigma_b2 == 0.0
