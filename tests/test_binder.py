"""Binder-crossing estimator on synthetic finite-size-scaling data with a known T_c."""
import numpy as np

from statmech_nn.stats import binder_crossings

TC = 2.269185


def scaling_data(sigma, seed):
    T = np.linspace(2.1, 2.45, 15)
    sizes = np.array([8, 16, 32])
    x = (T[None, :] - TC) * sizes[:, None]  # ν = 1
    U = 2 / 3 / (1 + np.exp(0.6 * x))  # crosses exactly at T_c for every pair
    err = np.full_like(U, sigma)
    return T, sizes, U + sigma * np.random.default_rng(seed).standard_normal(U.shape), err


def test_exact_data_recovers_tc():
    T, sizes, U, err = scaling_data(0.0, 0)
    c = binder_crossings(T, sizes, U, err + 1e-9, n_boot=50)
    for est in c.pairs.values():
        assert abs(est.value - TC) < 2e-4  # fit bias on a 0.025 grid
    assert abs(c.tc.value - TC) < 2e-4


def test_error_bars_cover_the_truth():
    """Over 200 noisy data sets ~68 % of the T_c estimates (largest pair) lie within one reported error of T_c."""
    hits = []
    for seed in range(200):
        T, sizes, U, err = scaling_data(0.004, seed)
        c = binder_crossings(T, sizes, U, err, n_boot=100, seed=seed)
        hits.append(abs(c.tc.value - TC) < c.tc.error)
    assert 0.55 < np.mean(hits) < 0.81  # binomial: 4σ around 0.68 for 200 sets


def test_negative_control_shifted_curves_are_rejected():
    """Shifting the largest size by 0.01 in T moves the crossing far outside the error bar."""
    T, sizes, U, err = scaling_data(0.002, 1)
    x = (T - TC - 0.01) * 32
    U[2] = 2 / 3 / (1 + np.exp(0.6 * x))
    est = binder_crossings(T, sizes, U, err, n_boot=200).pairs[(16, 32)]
    assert abs(est.value - TC) > 4 * est.error
