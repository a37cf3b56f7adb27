"""Hessian spectra (statmech_nn.nets.spectra, study hessian): Lanczos quadrature against exact spectra, the
Gauss–Newton / residual split, outlier counting, and the study's outliers against the number of classes."""
from __future__ import annotations

import math

import numpy as np
import pytest

from statmech_nn.nets import MLP, Objective
from statmech_nn.nets import spectra
from statmech_nn.sims.cli import main
from statmech_nn.study import get_study, run_study


def random_symmetric(n=120, seed=0, spikes=(30.0, 20.0, 10.0)):
    """A spiked Wishart matrix: a Marchenko–Pastur bulk and len(spikes) outliers."""
    gen = np.random.default_rng(seed)
    x = gen.standard_normal((n, 2 * n)) / math.sqrt(2 * n)
    directions = gen.standard_normal((n, len(spikes)))
    return x @ x.T + directions @ np.diag(spikes) @ directions.T / n


def test_gauss_quadrature_is_exact_up_to_degree_2k_minus_1():
    """k Lanczos nodes integrate vᵀH^j v exactly for j ≤ 2k − 1 — and not beyond (negative control)."""
    h = random_symmetric(spikes=())
    v = np.random.default_rng(1).standard_normal(h.shape[0])
    k = 6
    nodes, weights = spectra.gauss_quadrature(*spectra.lanczos(lambda x: h @ x, v, k))
    moments = [v @ np.linalg.matrix_power(h, j) @ v / (v @ v) for j in range(2 * k + 2)]
    for j in range(2 * k):
        assert np.sum(weights * nodes**j) == pytest.approx(moments[j], rel=1e-9)
    assert abs(np.sum(weights * nodes ** (2 * k)) / moments[2 * k] - 1.0) > 1e-6


def test_slq_traces_agree_with_exact_within_their_error_bars():
    """tr H and tr H² from 40 probes within 4.5 Hutchinson standard errors; the estimate of a different matrix
    (H scaled by 1.5) is rejected by the same criterion."""
    h = random_symmetric()
    exact = np.linalg.eigvalsh(h)
    nodes, weights = spectra.slq(lambda x: h @ x, h.shape[0], 40, 30, seed=5)
    for f in (lambda x: x, lambda x: x**2):
        est, err = spectra.trace(nodes, weights, f, h.shape[0])
        assert abs(est - f(exact).sum()) < 4.5 * err
    est, err = spectra.trace(nodes, weights, lambda x: x, h.shape[0])
    assert abs(est - 1.5 * exact.sum()) > 4.5 * err


def test_slq_density_matches_the_exact_spectrum():
    h = random_symmetric()
    exact = np.linalg.eigvalsh(h)
    nodes, weights = spectra.slq(lambda x: h @ x, h.shape[0], 30, 60, seed=2)
    sigma = 0.05 * (exact.max() - exact.min())
    grid = np.linspace(exact.min() - 6 * sigma, exact.max() + 6 * sigma, 2000)
    dx = grid[1] - grid[0]
    rho, rho_exact = spectra.density(nodes, weights, grid, sigma), spectra.exact_density(exact, grid, sigma)
    assert np.sum(rho) * dx == pytest.approx(1.0, abs=1e-3)
    l1 = np.sum(np.abs(rho - rho_exact)) * dx
    wrong = np.sum(np.abs(spectra.exact_density(1.2 * exact, grid, sigma) - rho_exact)) * dx
    assert l1 < 0.1 and wrong > 3 * l1
    assert spectra.top_eigenvalue(lambda x: h @ x, h.shape[0], seed=3) == pytest.approx(exact[-1], rel=1e-10)


def test_outliers_of_a_spiked_matrix():
    assert spectra.count_outliers(np.linalg.eigvalsh(random_symmetric())) == 3
    assert spectra.count_outliers(np.linalg.eigvalsh(random_symmetric()[:1, :1])) == 0


def test_residual_part_vanishes_where_the_residuals_do():
    """H = G + Σ_i (∂L/∂f_i) ∇²f_i: with targets equal to the network's outputs R = 0; with other targets not."""
    net = MLP((3, 5, 2), "tanh")
    theta = net.init(4, sigma_b2=0.1)
    x = np.random.default_rng(0).standard_normal((20, 3))
    fit = spectra.split_spectra(Objective(net, "mse", x, net.forward(theta, x)), theta)
    assert np.abs(fit["residual"]).max() < 1e-12 * fit["hessian"].max()
    np.testing.assert_allclose(fit["hessian"], fit["gauss_newton"], atol=1e-12 * fit["hessian"].max())
    off = spectra.split_spectra(Objective(net, "mse", x, net.forward(theta, x) + 1.0), theta)
    assert np.abs(off["residual"]).max() > 1e-3 * off["hessian"].max()
    assert off["gauss_newton"].min() > -1e-12   # G is positive semi-definite


def test_study_outliers_grow_as_classes_squared_with_mse(tmp_path):
    """MSE with one-hot targets: the class means span k feature directions, each k-fold (one per output), so the
    top of the spectrum holds k² outliers; SLQ's trace agrees with the exact one within its error bar."""
    values = {"classes": (2, 3), "hidden": (12,), "dim": 6, "samples": 300, "batch_size": 50, "epochs": 40,
              "slq_vectors": 20, "slq_steps": 30, "seed": 11}
    study = get_study("hessian")
    run = run_study(study, values, None).run
    r = run.results
    assert r["eigenvalues"].shape == (2, max(r["n_params"]))
    assert np.isnan(r["eigenvalues"][0, r["n_params"][0]:]).all()
    np.testing.assert_array_equal(r["n_outliers"], np.array([4, 9]))
    est = study.analyze(run)
    for key in ("k2_h12", "k3_h12"):
        assert abs(est[f"slq_trace_{key}"].value - est[f"trace_{key}"].value) < 4.5 * est[f"slq_trace_{key}"].error
        assert est[f"residual_share_{key}"].value < 0.1


@pytest.mark.parametrize("args,needle", [
    (["--classes", "12"], "classes"),
    (["--task", "cifar"], "task"),
    (["--batch-size", "5000"], "batch_size"),
])
def test_bad_input_is_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "h.h5"
    assert main(["hessian", "--quiet", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
