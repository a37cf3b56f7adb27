"""RBM energy, free energies and exact log Z against brute force over the joint (v, h); bad input."""
import math

import numba
import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, configurations, random_rbm, states_of_index
from statmech_nn.rbm.exact import (log_partition, log_probability, mean_log_likelihood,
                                   visible_log_probabilities)

UNITS = ("binary", "spin")


def brute_log_z(model):
    v = configurations(model.n_visible, model.units)[:, None, :]
    h = configurations(model.n_hidden, model.units)[None, :, :]
    minus_e = -model.energy(v, h)
    top = minus_e.max()
    return top + math.log(np.exp(minus_e - top).sum())


@pytest.mark.parametrize("units", UNITS)
@pytest.mark.parametrize("n_v, n_h, scale", [(5, 4, 1.0), (3, 7, 2.5), (1, 1, 0.3)])
def test_log_z_by_either_layer_matches_joint_brute_force(units, n_v, n_h, scale):
    model = random_rbm(n_v, n_h, scale, seed=n_v * 10 + n_h, bias_scale=0.7, units=units)
    exact = brute_log_z(model)
    assert log_partition(model, "visible") == pytest.approx(exact, abs=1e-12)
    assert log_partition(model, "hidden") == pytest.approx(exact, abs=1e-12)


@pytest.mark.parametrize("units", UNITS)
def test_free_energies_sum_out_the_other_layer(units):
    model = random_rbm(4, 3, 1.5, seed=3, bias_scale=1.0, units=units)
    v, h = configurations(4, units), configurations(3, units)
    e = model.energy(v[:, None, :], h[None, :, :])
    assert np.allclose(model.free_energy(v), -np.log(np.exp(-e).sum(axis=1)), atol=1e-12, rtol=0)
    assert np.allclose(model.free_energy_hidden(h), -np.log(np.exp(-e).sum(axis=0)), atol=1e-12, rtol=0)
    assert np.allclose(model.energy(v[5], h[2]), e[5, 2])


def test_unit_conventions_give_different_log_z():
    binary = random_rbm(6, 4, 1.0, seed=4, bias_scale=0.5)
    spin = RBM(binary.weights, binary.visible_bias, binary.hidden_bias, "spin")
    assert abs(log_partition(binary) - log_partition(spin)) > 1.0
    assert log_partition(spin) == pytest.approx(brute_log_z(spin), abs=1e-12)
    # Uncoupled units: log Z = Σ φ(bias) with φ = log(1 + eˣ) or log(2 cosh x).
    a, b = np.array([0.3, -1.2]), np.array([2.0])
    for units, phi in (("binary", lambda x: np.log1p(np.exp(x))), ("spin", lambda x: np.log(2 * np.cosh(x)))):
        free = RBM(np.zeros((2, 1)), a, b, units)
        assert log_partition(free) == pytest.approx(phi(a).sum() + phi(b).sum(), abs=1e-13)


@pytest.mark.parametrize("units", UNITS)
def test_chunked_enumeration_agrees_across_layers_and_threads(units):
    model = random_rbm(13, 12, 0.6, seed=5, bias_scale=0.3, units=units)  # 2^13 states: 8 chunks of 2^10
    by_visible = log_partition(model, "visible")
    assert log_partition(model, "hidden") == pytest.approx(by_visible, abs=1e-10)
    table = visible_log_probabilities(model)
    assert math.fsum(np.exp(table)) == pytest.approx(1.0, abs=1e-12)
    v = states_of_index(np.array([0, 77, 8191]), 13, units)
    assert np.allclose(table[[0, 77, 8191]], log_probability(model, v, by_visible), atol=1e-12, rtol=0)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = log_partition(model, "visible")
    finally:
        numba.set_num_threads(threads)
    assert single == by_visible


def test_softplus_does_not_overflow():
    for units in UNITS:
        model = RBM(np.array([[800.0, -900.0]]), np.zeros(1), np.array([0.0, 1000.0]), units)
        f = model.free_energy(np.ones((1, 1)))
        assert np.isfinite(f).all()
        assert f[0] == pytest.approx(-(800.0 + 100.0), rel=1e-14)
        assert log_partition(model, "hidden") == pytest.approx(log_partition(model, "visible"), rel=1e-14)


def test_likelihood_of_uniform_model():
    uniform = RBM(np.zeros((5, 3)), np.zeros(5), np.zeros(3))
    data = configurations(5)[[1, 7, 30]]
    assert mean_log_likelihood(uniform, data) == pytest.approx(-5 * math.log(2), abs=1e-13)


@pytest.mark.parametrize("kwargs, name", [
    ({"weights": np.ones((3, 2)), "visible_bias": np.ones(2), "hidden_bias": np.ones(2)}, "visible_bias"),
    ({"weights": np.ones((3, 2)), "visible_bias": np.ones(3), "hidden_bias": np.ones(3)}, "hidden_bias"),
    ({"weights": np.ones(3), "visible_bias": np.ones(3), "hidden_bias": np.ones(1)}, "weights"),
    ({"weights": np.ones((0, 2)), "visible_bias": np.ones(0), "hidden_bias": np.ones(2)}, "weights"),
    ({"weights": [[1.0, np.nan]], "visible_bias": [0.0], "hidden_bias": [0.0, 0.0]}, "weights"),
    ({"weights": [[1.0]], "visible_bias": [np.inf], "hidden_bias": [0.0]}, "visible_bias"),
    ({"weights": [["x"]], "visible_bias": [0.0], "hidden_bias": [0.0]}, "weights"),
    ({"weights": [[1.0]], "visible_bias": [0.0], "hidden_bias": [0.0], "units": "ising"}, "units"),
])
def test_bad_parameters_are_rejected(kwargs, name):
    with pytest.raises(ParameterError) as err:
        RBM(**kwargs)
    assert err.value.name == name


def test_bad_states_and_sizes_are_rejected():
    model = random_rbm(3, 2, 1.0, seed=7)
    with pytest.raises(ParameterError, match="'v'"):
        model.free_energy([0, 1, -1])  # a spin value in a binary model
    with pytest.raises(ParameterError, match="'h'"):
        model.energy([0, 1, 1], [1, 0, 1])
    with pytest.raises(ParameterError, match="layer"):
        log_partition(model, "both")
    with pytest.raises(ParameterError, match="at most 30"):
        log_partition(RBM(np.zeros((31, 31)), np.zeros(31), np.zeros(31)))
    with pytest.raises(ParameterError, match="data"):
        mean_log_likelihood(model, np.zeros((0, 3)))
    assert not model.weights.flags.writeable  # parameters are immutable
