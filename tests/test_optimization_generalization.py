"""Implicit bias in matrix factorisation (statmech_nn.nets.factorization, study factorization) and the
generalisation measures and label corruption of the random-labels study (statmech_nn.nets.measures, tasks)."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from statmech_nn.nets import GD, MLP, Objective
from statmech_nn.nets import factorization as mf
from statmech_nn.nets import measures, tasks
from statmech_nn.sims.cli import main
from statmech_nn.study import get_study, run_study


def block_problem(c: np.ndarray):
    """Measure only the off-diagonal block C of a symmetric (p+q) × (p+q) matrix."""
    p, q = c.shape
    n = p + q
    rows = []
    for i, j in itertools.product(range(p), range(q)):
        e = np.zeros((n, n))
        e[i, p + j] = e[p + j, i] = 0.5
        rows.append(e.ravel())
    return np.array(rows), c.ravel(), n


def test_min_nuclear_norm_of_an_off_diagonal_block_is_twice_its_nuclear_norm():
    """min tr X over PSD X = [[A, C], [Cᵀ, B]] is 2|C|_* (the SDP characterisation of the nuclear norm)."""
    c = np.random.default_rng(0).standard_normal((3, 4))
    a, y, n = block_problem(c)
    x, _ = mf.min_nuclear_norm(a, y, n)
    known = 2.0 * np.linalg.svd(c, compute_uv=False).sum()
    assert np.trace(x) == pytest.approx(known, rel=1e-7)
    np.testing.assert_allclose(a @ x.ravel(), y, atol=1e-7)
    assert np.linalg.eigvalsh(x).min() > -1e-9
    # negative control: another feasible PSD completion, [[σ_1 1, C], [Cᵀ, σ_1 1]], has a larger trace
    s1 = np.linalg.norm(c, 2)
    assert (3 + 4) * s1 > known * 1.1


def test_min_nuclear_norm_recovers_a_fully_observed_matrix():
    truth = mf.ground_truth(1, 6, 2)
    a = mf.sensing_operator(2, 6, 21, "entries")    # all n(n+1)/2 entries
    x, _ = mf.min_nuclear_norm(a, a @ truth.ravel(), 6)
    np.testing.assert_allclose(x, truth, atol=1e-7)


def test_factorization_gradient_against_finite_differences():
    a = mf.sensing_operator(3, 5, 9)
    obj = mf.Factorization(a, a @ mf.ground_truth(3, 5, 1).ravel(), 5, 3)
    theta = mf.initial_factor(4, 5, 3, 0.7)
    _, grad = obj.value_and_grad(theta)
    eps, fd = 1e-6, np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        fd[i] = (obj.value(theta + e) - obj.value(theta - e)) / (2 * eps)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)


def test_small_initialisation_finds_the_minimum_nuclear_norm_and_large_does_not():
    """Under-determined sensing (m = 12 < n(n+1)/2 = 36): from α = 1e-4 gradient descent ends at the
    minimum-nuclear-norm PSD solution; from α = 1 (negative control) at a solution of larger nuclear norm."""
    n, m = 8, 12
    truth = mf.ground_truth(5, n, 1)
    a = mf.sensing_operator(5, n, m)
    y = a @ truth.ravel()
    x_min, _ = mf.min_nuclear_norm(a, y, n)
    results = {}
    for scale in (1e-4, 1.0):
        obj = mf.Factorization(a, y, n, n)
        state = GD(0.02).init(mf.initial_factor(6, n, n, scale))
        for _ in range(4000):
            GD(0.02).step(state, obj)
        assert obj.value(state["params"]) < 1e-7 * float(y @ y) / m   # fitted (the small start creeps in)
        results[scale] = mf.nuclear_norm(obj.matrix(state["params"]))
    target = mf.nuclear_norm(x_min)
    assert results[1e-4] == pytest.approx(target, rel=1e-3)
    assert results[1.0] > 2 * target


def test_path_norm_enumerates_paths():
    net = MLP((2, 3, 2), "relu")
    theta = net.init(1, sigma_b2=0.5)
    (w1, b1), (w2, b2) = net.layers(theta)
    total = sum((w1[i, j] * w2[j, k]) ** 2 for i in range(2) for j in range(3) for k in range(2))
    total += sum((b1[j] * w2[j, k]) ** 2 for j in range(3) for k in range(2)) + np.sum(b2**2)
    assert measures.path_norm(net, theta) == pytest.approx(math.sqrt(total), rel=1e-12)
    without_bias = math.sqrt(sum((w1[i, j] * w2[j, k]) ** 2 for i in range(2) for j in range(3) for k in range(2)))
    assert abs(measures.path_norm(net, theta) - without_bias) > 1e-3   # negative control: biases matter


def test_norm_products_scale_and_sharpness_is_the_top_hessian_eigenvalue():
    net = MLP((3, 6, 2), "tanh")
    theta = net.init(2)
    scaled = theta.copy()
    for w, _ in net.layers(scaled):
        w *= 2.0
    assert measures.spectral_product(net, scaled) == pytest.approx(4 * measures.spectral_product(net, theta))
    assert measures.frobenius_product(net, scaled) == pytest.approx(4 * measures.frobenius_product(net, theta))
    x, y = tasks.classification("mixture", 3, 40, 2, d=3)
    obj = Objective(net, "cross_entropy", x, y)
    exact = np.linalg.eigvalsh(0.5 * (obj.hessian(theta) + obj.hessian(theta).T))[-1]
    assert measures.sharpness(obj, theta, 0) == pytest.approx(exact, rel=1e-8)
    m = measures.margins(net, theta, x, y)
    assert np.mean(m > 0) == pytest.approx(measures.accuracy(net, theta, x, y))


@pytest.mark.parametrize("p", [0.2, 1.0])
def test_corrupted_fraction_within_binomial_error(p):
    """P(label changes) = p (k − 1)/k; tolerance 4.5 binomial standard errors."""
    y = np.arange(20000) % 4
    changed = np.mean(tasks.corrupt_labels(9, y, 4, p) != y)
    q = p * 3 / 4
    assert abs(changed - q) < 4.5 * math.sqrt(q * (1 - q) / y.size)
    assert abs(changed - p) > 4.5 * math.sqrt(q * (1 - q) / y.size)    # the naive p is rejected


def test_random_labels_are_memorised_more_slowly_and_do_not_generalise():
    values = {"label_noise": (0.0, 1.0), "hidden": (64,), "networks": 1, "dim": 10, "samples": 100,
              "test_samples": 400, "batch_size": 20, "epochs": 400, "lr": 0.05, "seed": 3}
    study = get_study("random-labels")
    run = run_study(study, values, None).run
    r = run.results
    assert np.all(r["fit_epoch"] > 0) and r["fit_epoch"][0] < r["fit_epoch"][1]
    assert np.all(r["train_accuracy"] == 1.0)
    n = values["test_samples"]
    assert abs(r["test_accuracy"][1] - 0.5) < 4.5 * math.sqrt(0.25 / n)   # chance on clean test labels
    assert r["test_accuracy"][0] > 0.5 + 4.5 * math.sqrt(0.25 / n)
    assert r["generalization_gap"][1] > r["generalization_gap"][0]
    est = study.analyze(run)
    assert est["fit_epoch_p0_h64"].value == r["fit_epoch"][0]


@pytest.mark.parametrize("study,args,needle", [
    ("factorization", ["--rank", "40"], "rank"),
    ("factorization", ["--observations", "1000"], "observations"),
    ("random-labels", ["--label-noise", "0,1.5"], "label_noise"),
    ("random-labels", ["--classes", "30"], "classes"),
])
def test_bad_input_is_one_line_exit_2_no_file(tmp_path, capsys, study, args, needle):
    out = tmp_path / "o.h5"
    assert main([study, "--quiet", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
