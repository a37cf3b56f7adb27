"""RBM training: bars-and-stripes learned to near the optimum, exact resume, thread independence, bad input."""
import math
import time

import h5py
import numba
import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.rbm.data import as_dataset, bars_and_stripes, base_rate_bias
from statmech_nn.rbm.exact import mean_log_likelihood
from statmech_nn.rbm.train import init_state, learning_rate, model_of, train, train_settings

# Settings found to work for 3×3 bars and stripes: 6000 epochs (≈1 s) reach -2.70 … -2.78 over seeds 0–7.
BAS_SETTINGS = dict(n_hidden=16, method="pt", k=1, batch_size=14, n_chains=20, pt_temperatures=5, pt_beta_min=0.2,
                    learning_rate=0.2, momentum=0.5, lr_schedule="exponential", lr_final=0.01, lr_epochs=6000)


def test_bars_and_stripes():
    data = bars_and_stripes(3)
    assert data.shape == (14, 9) and len({tuple(row) for row in data}) == 14
    images = data.reshape(-1, 3, 3)
    stripes = np.all(images == images[:, :, :1], axis=(1, 2))
    bars = np.all(images == images[:, :1, :], axis=(1, 2))
    assert np.all(stripes | bars) and stripes.sum() == bars.sum() == 8
    assert bars_and_stripes(2).shape == (6, 4) and bars_and_stripes(4).shape == (30, 16)
    assert np.array_equal(bars_and_stripes(3, "spin"), 2 * data - 1)
    assert np.allclose(base_rate_bias(data), 0.0) and np.allclose(base_rate_bias(2 * data - 1, "spin"), 0.0)


def test_bars_and_stripes_trained_to_near_the_optimum():
    data = bars_and_stripes(3)
    settings = train_settings(**BAS_SETTINGS)
    state = init_state(settings, data, seed=0)
    threads = numba.get_num_threads()
    try:  # kernels this small gain nothing from threads and suffer from oversubscribed cores
        numba.set_num_threads(1)
        start = time.perf_counter()
        diagnostics = train(settings, data, state, settings.lr_epochs)
        seconds = time.perf_counter() - start
    finally:
        numba.set_num_threads(threads)
    log_likelihood = mean_log_likelihood(model_of(state), data)
    print(f"BAS 3x3: mean log-likelihood {log_likelihood:.3f} (optimum {-math.log(14):.3f}) in {seconds:.1f} s")
    assert log_likelihood > -math.log(14) - 0.5
    assert int(state["epoch"]) == settings.lr_epochs
    assert diagnostics["learning_rate"][-1] == pytest.approx(0.01, rel=1e-3)
    assert np.all((diagnostics["swap_acceptance"][-100:].mean(axis=0) > 0.1))
    assert 0.0 < diagnostics["flip_rate"][-100:].mean() < diagnostics["flip_rate"][:100].mean()


def checkpoint_round_trip(state, path):
    """Write the state as a checkpoint group and read it back the way the run reader does (``v[()]``)."""
    with h5py.File(path, "w") as f:
        for name, value in state.items():
            f.create_dataset(name, data=value)
    with h5py.File(path, "r") as f:
        return {name: f[name][()] for name in f}


@pytest.mark.parametrize("method, units", [("cd", "binary"), ("pcd", "spin"), ("pt", "binary")])
def test_training_resumes_bit_identically(method, units, tmp_path):
    data = bars_and_stripes(3, units)[:11]  # minibatches of 4, 4, 3
    settings = train_settings(n_hidden=5, units=units, method=method, k=2, batch_size=4, n_chains=6,
                              pt_temperatures=3, learning_rate=0.1, momentum=0.7, l1=1e-3, l2=1e-3,
                              lr_schedule="linear", lr_final=0.01, lr_epochs=7)
    straight = init_state(settings, data, seed=3)
    whole = train(settings, data, straight, 10)
    resumed = init_state(settings, data, seed=3)
    first = train(settings, data, resumed, 4)
    resumed = checkpoint_round_trip(resumed, tmp_path / "state.h5")
    second = train(settings, data, resumed, 6)
    assert set(resumed) == set(straight)
    for name in straight:
        assert np.array_equal(straight[name], resumed[name]), name
    for name in whole:
        assert np.array_equal(whole[name], np.concatenate([first[name], second[name]])), name
    assert np.array_equal(whole["epoch"], np.arange(1, 11))
    assert not np.array_equal(straight["weights"], init_state(settings, data, seed=3)["weights"])


@pytest.mark.parametrize("method", ["cd", "pcd", "pt"])
def test_training_is_bit_identical_for_any_thread_count(method):
    data = bars_and_stripes(3)
    settings = train_settings(n_hidden=7, method=method, batch_size=5, n_chains=9)
    reference = init_state(settings, data, seed=4)
    train(settings, data, reference, 5)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = init_state(settings, data, seed=4)
        train(settings, data, single, 5)
    finally:
        numba.set_num_threads(threads)
    assert all(np.array_equal(reference[name], single[name]) for name in reference)


def test_learning_rate_schedules():
    base = dict(n_hidden=2, learning_rate=0.1, lr_final=0.001, lr_epochs=100)
    constant, linear = train_settings(**base), train_settings(**base, lr_schedule="linear")
    exponential = train_settings(**base, lr_schedule="exponential")
    assert learning_rate(constant, 50) == 0.1
    assert learning_rate(linear, 50) == pytest.approx(0.0505) and learning_rate(linear, 500) == pytest.approx(0.001)
    assert learning_rate(exponential, 50) == pytest.approx(0.01)
    assert learning_rate(exponential, 100) == pytest.approx(0.001)


def test_bad_input_is_rejected():
    data = bars_and_stripes(2)
    with pytest.raises(ParameterError, match="n_hidden"):
        train_settings()
    with pytest.raises(ParameterError, match="method"):
        train_settings(n_hidden=2, method="sgd")
    with pytest.raises(ParameterError, match="momentum"):
        train_settings(n_hidden=2, momentum=1.0)
    with pytest.raises(ParameterError, match="lr_final"):
        train_settings(n_hidden=2, lr_schedule="exponential")
    with pytest.raises(ParameterError, match="batch_sz"):
        train_settings(n_hidden=2, batch_sz=3)
    with pytest.raises(ParameterError, match="data"):
        as_dataset(2 * data - 1, "binary")
    with pytest.raises(ParameterError, match="data"):
        as_dataset(np.zeros(4))
    assert np.array_equal(as_dataset(data.astype(bool), "spin"), 2 * data - 1)
    settings = train_settings(n_hidden=3)
    state = init_state(settings, data, seed=1)
    with pytest.raises(ParameterError, match="weights"):
        train(settings, bars_and_stripes(3), state, 1)  # 9 visible units, the state has 4
    with pytest.raises(ParameterError, match="n_epochs"):
        train(settings, data, state, -1)
    with pytest.raises(ParameterError, match="state"):
        train(train_settings(n_hidden=3, method="cd"), data, state, 1)  # pcd state has chains
    diverged = dict(state, weights=np.full((4, 3), np.nan))
    with pytest.raises(ParameterError, match="non-finite"):
        train(settings, data, diverged, 1)
