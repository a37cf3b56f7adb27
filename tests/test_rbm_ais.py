"""Annealed importance sampling against exact log Z.

With a long schedule the log-weight spread is small (ESS close to the number of chains), the delta-method error
is reliable and AIS must agree with enumeration within Z = 5 of its own error bars. With a short schedule on a
strongly coupled model, many small independent runs show the bias directly: forward AIS low, reverse AIS
from exact samples high, so that the pair brackets log Z.
"""
import numba
import numpy as np
import pytest
from scipy.special import logsumexp

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import random_rbm
from statmech_nn.rbm.ais import ais, reverse_ais, schedule
from statmech_nn.rbm.data import base_rate_bias
from statmech_nn.rbm.exact import exact_samples, log_partition

Z = 5.0


@pytest.mark.parametrize("units, scale", [("binary", 0.3), ("binary", 1.0), ("binary", 2.0),
                                          ("spin", 0.15), ("spin", 0.5), ("spin", 1.0)])
def test_ais_matches_exact_log_z(units, scale):
    model = random_rbm(12, 8, scale, seed=int(10 * scale), bias_scale=0.5, units=units)
    exact = log_partition(model)
    forward = ais(model, 1000, 500, seed=1)
    assert forward.ess > 0.5 * 500
    assert abs(forward.log_z - exact) < Z * forward.log_z_err
    backward = reverse_ais(model, 1000, exact_samples(model, 500, seed=2), seed=3)
    assert abs(backward.log_z - exact) < Z * backward.log_z_err
    assert forward.log_z_err < 0.05 and forward.log_weights.shape == (500,)


def test_base_rate_start_matches_exact_log_z():
    model = random_rbm(10, 6, 1.0, seed=4, bias_scale=2.0)
    data = exact_samples(model, 1000, seed=5)
    uniform = ais(model, 200, 300, seed=6)
    base_rate = ais(model, 200, 300, seed=6, base_visible_bias=base_rate_bias(data))
    exact = log_partition(model)
    assert abs(base_rate.log_z - exact) < Z * base_rate.log_z_err
    assert base_rate.ess > uniform.ess  # the base-rate model starts closer to the target


@pytest.mark.parametrize("units, scale", [("binary", 3.0), ("spin", 2.5)])
def test_small_runs_expose_the_low_bias_and_reverse_ais_the_high_one(units, scale):
    """1000 independent 4-chain estimates on a 20-step schedule: their mean lies many standard errors below
    log Z (forward) and above it (reverse from exact samples)."""
    model = random_rbm(12, 8, scale, seed=5, bias_scale=0.5, units=units)
    exact = log_partition(model)
    forward = ais(model, 20, 4000, seed=1)
    backward = reverse_ais(model, 20, exact_samples(model, 4000, seed=2), seed=3)
    low = forward.log_z_base + logsumexp(forward.log_weights.reshape(-1, 4), axis=1) - np.log(4)
    high = backward.log_z_base - logsumexp(backward.log_weights.reshape(-1, 4), axis=1) + np.log(4)
    for estimates, sign in ((low, -1), (high, 1)):
        assert sign * (estimates.mean() - exact) > Z * estimates.std(ddof=1) / np.sqrt(estimates.size)


def test_ais_is_bit_identical_for_any_thread_count():
    model = random_rbm(7, 5, 1.0, seed=6, units="spin")
    start = exact_samples(model, 64, seed=1)
    reference = ais(model, 50, 64, seed=7), reverse_ais(model, 50, start, seed=8)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = ais(model, 50, 64, seed=7), reverse_ais(model, 50, start, seed=8)
    finally:
        numba.set_num_threads(threads)
    for r, s in zip(reference, single):
        assert np.array_equal(r.log_weights, s.log_weights) and r.log_z == s.log_z


def test_bad_input_is_rejected():
    model = random_rbm(4, 3, 1.0, seed=1)
    for betas in (1, [0.0, 0.5], [0.1, 1.0], [0.0, 0.6, 0.5, 1.0], [0.0, np.nan, 1.0], True):
        with pytest.raises(ParameterError, match="betas"):
            ais(model, betas, 10, seed=1)
    assert np.array_equal(schedule(3), [0.0, 0.5, 1.0])
    with pytest.raises(ParameterError, match="n_chains"):
        ais(model, 10, 1, seed=1)
    with pytest.raises(ParameterError, match="base_visible_bias"):
        ais(model, 10, 10, seed=1, base_visible_bias=np.zeros(3))
    with pytest.raises(ParameterError, match="visible"):
        reverse_ais(model, 10, np.zeros((5, 4)) + 0.5, seed=1)
