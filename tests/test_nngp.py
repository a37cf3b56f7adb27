"""NNGP kernels: closed forms (arc-cosine, arcsine) against quadrature and against the package's c-map, the kernel
against the empirical kernel of wide sampled networks, GP regression/classification, errors."""
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from statmech_nn.errors import ParameterError
from statmech_nn.meanfield import Activation, activation, c_map, q_map, sigma_w2_critical
from statmech_nn.meanfield.nngp import (centred_one_hot, gp_error_grid, gp_predict, gp_test_error, nngp_kernel,
                                        pair_expectation, split_task)
from statmech_nn.vecmath import exp_row, tanh_row
from statmech_nn.nets.data import mixture, teacher
from statmech_nn.models.wide import empirical_kernels

FAIL_RATE = 1e-4


def z_limit(tests: int, samples: int) -> float:
    """|t| bound that a correct mean of ``samples`` values exceeds with probability < FAIL_RATE over ``tests``
    comparisons (Student t, Bonferroni)."""
    return float(stats.t.ppf(1 - FAIL_RATE / (2 * tests), samples - 1))


def relu_reference(k11, k22, k12):
    """E[relu(u) relu(v)] independently of the package: nested scipy quadrature in the Cholesky coordinates, split at
    the kinks."""
    s1, r = math.sqrt(k11), k12 / math.sqrt(k11)
    s2 = math.sqrt(k22 - r * r)
    pdf = stats.norm.pdf

    def inner(z1):
        edge = -r * z1 / s2
        return max(s1 * z1, 0.0) * sum(integrate.quad(lambda z: pdf(z) * max(r * z1 + s2 * z, 0.0), a, b,
                                                       epsabs=1e-13)[0] for a, b in ((-12, edge), (edge, 12)))
    return sum(integrate.quad(lambda z: pdf(z) * inner(z), a, b, epsabs=1e-13)[0] for a, b in ((-12, 0), (0, 12)))


COVS = [(1.0, 1.0, 0.3), (0.5, 2.0, -0.7), (3.0, 0.2, 0.6)]


@pytest.mark.parametrize("name,f", [("relu", None), ("erf", lambda u: special.erf(math.sqrt(math.pi) / 2 * u)),
                                    ("erf-plain", special.erf)])
def test_closed_forms_against_quadrature(name, f):
    """Arc-cosine and arcsine kernels with unequal variances equal an independent integral (nested scipy quad for
    relu, to 1e-8; the dense trapezoid rule of :func:`dense_reference` for erf, to 1e-12)."""
    for k11, k22, k12 in COVS:
        expected = relu_reference(k11, k22, k12) if f is None else dense_reference(f, k11, k22, k12)
        assert pair_expectation(name, k11, k22, k12) == pytest.approx(expected, rel=1e-8 if f is None else 1e-12,
                                                                      abs=1e-11)


def dense_reference(f, k11, k22, k12):
    """E[f(u) f(v)] by the trapezoid rule with step 0.02 on |z1|, |z2| ≤ 9 in the Cholesky coordinates (numpy f).
    For tanh(√K z) the integrand is analytic within π/(2√K) ≥ 0.22 of the real axis for K ≤ 50, so the rule's
    error is ~exp(−2π · 0.22/0.02) ≈ 1e-30, the truncation ~1e-19: a reference independent of the package's nodes."""
    z = np.arange(-450, 451) * 0.02
    w = np.exp(-0.5 * z**2)
    w /= w.sum()
    s1 = math.sqrt(k11)
    r = k12 / s1 if s1 > 0 else 0.0
    return float(w @ (f(s1 * z)[:, None] * f(r * z[:, None] + math.sqrt(max(0.0, k22 - r * r)) * z[None, :])) @ w)


def gauss_hermite_64(k11, k22, k12):
    """The former tanh rule: the 64 × 64 Gauss–Hermite tensor rule in the Cholesky coordinates."""
    z, w = np.polynomial.hermite_e.hermegauss(64)
    w = w / w.sum()
    s1, r = math.sqrt(k11), k12 / math.sqrt(k11)
    s2 = math.sqrt(max(0.0, k22 - r * r))
    return float(w @ (np.tanh(s1 * z)[:, None] * np.tanh(r * z[:, None] + s2 * z[None, :])) @ w)


CORRELATIONS = (-0.99, -0.3, 0.0, 0.5, 0.999, 1.0)
ACCURACY_CASES = [(k, 0.4 * k, c) for k in (0.1, 1.0, 10.0, 50.0) for c in CORRELATIONS] + [
    (0.3 * k, k, c) for k in (10.0, 50.0) for c in (-0.9, 0.7)]
TOL = 1e-12


def relative_errors(values, cases, f=np.tanh):
    """|value − reference| over max(|reference|, 1e-2 √(E[f(u)²] E[f(v)²])): relative error, except at c = 0 where
    the moment vanishes by symmetry (tanh) and the error is measured against the scale of the product."""
    out = []
    for value, (k11, k22, c) in zip(values, cases):
        k12 = c * math.sqrt(k11 * k22)
        ref = dense_reference(f, k11, k22, k12)
        scale = math.sqrt(dense_reference(f, k11, k11, k11) * dense_reference(f, k22, k22, k22))
        out.append(abs(value - ref) / max(abs(ref), 1e-2 * scale))
    return np.array(out)


def test_tanh_pair_moment_accurate_at_large_variance():
    """E[tanh(u) tanh(v)] at K = 0.1, 1, 10, 50 with unequal variances (ratio 0.4 and 0.3) and c from −0.99 to 1:
    within 1e-12 of the dense reference (measured: ≤ 2e-13)."""
    k11, k22, c = np.array(ACCURACY_CASES).T
    values = pair_expectation("tanh", k11, k22, c * np.sqrt(k11 * k22))
    assert np.max(relative_errors(values, ACCURACY_CASES)) < TOL


def test_negative_control_former_gauss_hermite_rule_fails_at_k10():
    """The former 64 × 64 Gauss–Hermite rule misses the same tolerance at K = 10 (by ~1e-3)."""
    cases = [case for case in ACCURACY_CASES if case[0] == 10.0]
    values = [gauss_hermite_64(k11, k22, c * math.sqrt(k11 * k22)) for k11, k22, c in cases]
    assert np.max(relative_errors(values, cases)) > 1e-10 > TOL


def test_generic_path_sigmoid_and_erf_at_large_variance():
    """The generic path (scalar φ, all rows, no oddness): sigmoid against the dense reference at K = 10 and 50, and
    erf-plain's functions against the arcsine closed form at K up to 50, within 1e-12."""
    cases = [(10.0, 4.0, -0.6), (50.0, 20.0, 0.9), (15.0, 50.0, 0.999)]
    k11, k22, c = np.array(cases).T
    k12 = c * np.sqrt(k11 * k22)
    values = pair_expectation("sigmoid", k11, k22, k12)
    assert np.max(relative_errors(values, cases, f=special.expit)) < TOL
    a = activation("erf-plain")
    generic = Activation(a.phi, a.dphi, a.d2phi, "erf-plain-by-quadrature")
    k11, k22, c = np.array([(1.0, 1.0, 0.3), (0.5, 0.8, -0.4), (10.0, 4.0, 0.5), (50.0, 20.0, -0.99),
                            (30.0, 50.0, 0.999)]).T
    k12 = c * np.sqrt(k11 * k22)
    assert np.allclose(pair_expectation(generic, k11, k22, k12), pair_expectation(a, k11, k22, k12), rtol=TOL, atol=0)


def test_tanh_fast_path_is_the_generic_path_and_limits():
    """The built-in tanh (rows z1 > 0 only by oddness, tanh_row) equals the generic path on a user tanh (math.tanh,
    every row) to 1e-15 for unequal variances up to 60, both signs of k12 and c = ±1, 0; σ → 0 is continuous
    (c = 1 − 1e-14 against c = 1); q → 0 gives 0 for tanh and φ(0) E[φ(u)] for sigmoid."""
    rng = np.random.default_rng(7)
    k11, k22 = rng.uniform(0.01, 60.0, (2, 40))
    k12 = rng.uniform(-1.0, 1.0, 40) * np.sqrt(k11 * k22)
    k12[:3] = np.sqrt(k11[:3] * k22[:3]) * np.array([1.0, -1.0, 0.0])
    k22[3], k12[3] = k11[3], k11[3]
    fast = pair_expectation("tanh", k11, k22, k12)
    generic = Activation(math.tanh, activation("tanh").dphi, activation("tanh").d2phi, "tanh-by-the-generic-path")
    assert np.allclose(fast, pair_expectation(generic, k11, k22, k12), rtol=0, atol=1e-15)
    near = pair_expectation("tanh", 20.0, 5.0, (1 - 1e-14) * 10.0)
    assert near == pytest.approx(float(pair_expectation("tanh", 20.0, 5.0, 10.0)), rel=1e-12)
    assert pair_expectation("tanh", [0.0, 3.0], [3.0, 0.0], 0.0).tolist() == [0.0, 0.0]
    sig_mean = dense_reference(special.expit, 3.0, 0.0, 0.0)  # 0.5 E[sigmoid(u)] = 0.25
    assert float(pair_expectation("sigmoid", 3.0, 0.0, 0.0)) == pytest.approx(sig_mean, rel=1e-13)


def test_gram_matrix_symmetric_and_its_diagonal_is_the_q_map():
    """A tanh Gram matrix at large variance (σ_w² = 4, K up to ~5) is exactly symmetric; its diagonal is exactly
    the diagonal=True output and the package's q-map iterated from K^0; with equal variances the NNGP map is the
    package's c-map, K' = C(q, c) V(q), to 1e-12 (both accurate to ~1e-13)."""
    x = INPUTS * np.sqrt(np.arange(1.0, 6.0))[:, None]
    k = nngp_kernel("tanh", 4.0, 0.1, x, 3)
    assert np.array_equal(k, k.T)
    q = 4.0 * np.einsum("ij,ij->i", x, x) / x.shape[1] + 0.1
    for _ in range(3):
        q = q_map("tanh", 4.0, 0.1, q)
    assert np.array_equal(np.diag(k), q) and np.array_equal(nngp_kernel("tanh", 4.0, 0.1, x, 3, diagonal=True), q)
    t = 1.1
    x = math.sqrt(2.0) * np.array([[1.0, 0.0], [math.cos(t), math.sin(t)]])  # K^0: diagonal 2.0, off 1.8 cos t + 0.2
    for phi in ("tanh", "relu", "erf"):
        for sw2 in (1.8, 30.0):
            k = nngp_kernel(phi, sw2, 0.2, x, 1)
            q0 = sw2 + 0.2
            expected = c_map(phi, sw2, 0.2, q0, (sw2 * math.cos(t) + 0.2) / q0) * q_map(phi, sw2, 0.2, q0)
            assert k[0, 1] == pytest.approx(expected, rel=1e-12)


def test_tanh_row_is_tanh_to_a_few_ulp():
    """The vectorised tanh against the C library's over [−25, 25] (saturation at |x| ≥ 20 included) and tiny
    arguments: relative error ≤ 4 ulp, odd, |tanh| ≤ 1."""
    x = np.concatenate([np.linspace(-25.0, 25.0, 100_001), np.geomspace(1e-300, 1.0, 1000),
                        -np.geomspace(1e-300, 1.0, 1000), [0.0, 19.999, 20.0, 20.001]])
    t = x.copy()
    tanh_row(t, np.empty_like(t))
    expected = np.tanh(x)
    assert np.all(np.abs(t - expected) <= 4 * np.finfo(float).eps * np.abs(expected))
    minus = -x
    tanh_row(minus, np.empty_like(t))
    assert np.array_equal(minus, -t) and np.all(np.abs(t) <= 1.0)


def test_exp_row_is_exp_to_a_few_ulp():
    """The vectorised exp against numpy's on [−700, 0] and tiny arguments: relative error ≤ 4 ulp."""
    y = np.concatenate([np.linspace(-700.0, 0.0, 100_001), -np.geomspace(1e-300, 1.0, 1000), [0.0, -0.5 * 8.5**2]])
    e = y.copy()
    exp_row(e, np.empty_like(e))
    assert np.all(np.abs(e - np.exp(y)) <= 4 * np.finfo(float).eps * np.exp(y))


def test_relu_kernel_is_arc_cosine_recursion():
    """Depth-L ReLU kernel for unit-norm inputs at σ_b² = 0, σ_w² = 2 is the iterated arc-cosine map of the cosine:
    cos θ' = (sin θ + (π − θ) cos θ)/π (Cho & Saul 2009), with the norm preserved."""
    x = np.array([[1.0, 0.0], [math.cos(1.0), math.sin(1.0)]]) * math.sqrt(2)
    cos = math.cos(1.0)
    for _ in range(4):
        t = math.acos(cos)
        cos = (math.sin(t) + (math.pi - t) * cos) / math.pi
    k = nngp_kernel("relu", 2.0, 0.0, x, 4)
    assert k[0, 0] == pytest.approx(2.0, rel=1e-13) and k[0, 1] == pytest.approx(2.0 * cos, rel=1e-12)


NETS, WIDTH, DEPTH = 20, 2000, 2
INPUTS = np.random.default_rng(11).standard_normal((5, 12))


def empirical_z(phi, sigma_w2, theory_sigma_w2=None):
    emp = empirical_kernels(INPUTS, phi, sigma_w2, 0.1, DEPTH, WIDTH, NETS, 3)
    z = []
    for layer in range(1, DEPTH + 1):
        k = nngp_kernel(phi, theory_sigma_w2 or sigma_w2, 0.1, INPUTS, layer)
        iu = np.triu_indices(INPUTS.shape[0])
        sample = emp[:, layer][:, iu[0], iu[1]]
        z.append((sample.mean(0) - k[iu]) / (sample.std(0, ddof=1) / math.sqrt(NETS)))
    return np.abs(np.concatenate(z))


@pytest.mark.parametrize("phi,sigma_w2", [("tanh", 2.5), ("relu", 1.6), ("erf-plain", 1.2)])
def test_kernel_matches_wide_networks(phi, sigma_w2):
    """Every entry of K^1, K^2 within the Bonferroni t bound of the mean over 20 networks of width 2000 (the
    O(1/N) bias is ≲ 1/20 of the standard error here)."""
    z = empirical_z(phi, sigma_w2)
    assert z.max() < z_limit(z.size, NETS)


def test_negative_control_kernel_at_wrong_sigma_w2_fails():
    z = empirical_z("tanh", 2.5, theory_sigma_w2=2.5 * 1.05)
    assert z.max() > z_limit(z.size, NETS)


def test_gp_regression_interpolates_and_predicts():
    """Noiseless posterior interpolates the training targets with ~zero variance; a held-out teacher-network
    function sampled from the GP prior itself is predicted within its posterior standard deviations."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((60, 4))
    k = nngp_kernel("erf-plain", 2.0, 0.1, x, 3)
    f = np.linalg.cholesky(k + 1e-10 * np.eye(60)) @ rng.standard_normal(60)
    train, test = slice(0, 50), slice(50, 60)
    mean, var = gp_predict(k[train, train], k[train, test], np.diag(k)[test], f[train], noise=1e-10)
    z = (f[test] - mean) / np.sqrt(var)
    assert np.all(var > 0) and np.max(np.abs(z)) < 5.0
    mean_tr, var_tr = gp_predict(k[train, train], k[train, train], np.diag(k)[train], f[train], noise=1e-12)
    assert np.allclose(mean_tr, f[train], atol=1e-4) and np.all(var_tr < 1e-5)


def test_classification_tasks_and_order_chaos():
    """Both tasks are learnt at small depth; at depth 100 the kernel has forgotten the inputs on both sides of the
    order-to-chaos line (ordered: K^L → const; chaotic: K^L → const + diag) and the error is at chance or worse,
    while at σ_w²,c(σ_b²) it stays low (measured on the mixture: ≈ 0.1 vs 0.67 = chance)."""
    mix = split_task(*mixture(2, 500, k=3, d=8, separation=4.0), 200, 3)
    x, y, _ = teacher(3, 500, sizes=(8, 64, 2))
    teach = split_task(x, y.argmax(1), 200, 2)
    assert gp_test_error("relu", 2.0, 0.05, 3, teach["x_train"], teach["y_train"], teach["x_test"], teach["y_test"],
                         2, noise=1e-3) < 0.2
    grid = gp_error_grid("erf", [0.5, sigma_w2_critical("erf", 0.05), 60.0], [2, 100], 0.05, mix, noise=1e-3)
    assert np.all(grid[:, 0] < 0.2) and grid[1, 1] < 0.2
    assert grid[0, 1] > 0.5 and grid[2, 1] > 0.5
    assert np.allclose(centred_one_hot([1], 3), [[-1 / 3, 2 / 3, -1 / 3]], rtol=0, atol=1e-15)


@pytest.mark.parametrize("call,name", [
    (lambda: nngp_kernel("tanh", -1.0, 0.1, INPUTS, 2), "sigma_w2"),
    (lambda: nngp_kernel("tanh", 1.0, math.nan, INPUTS, 2), "sigma_b2"),
    (lambda: nngp_kernel("tanh", 1.0, 0.1, INPUTS, -2), "depth"),
    (lambda: nngp_kernel("swish?", 1.0, 0.1, INPUTS, 2), "phi"),
    (lambda: nngp_kernel("tanh", 1.0, 0.1, INPUTS[0], 2), "x"),
    (lambda: nngp_kernel("tanh", 1.0, 0.1, INPUTS, 2, x2=INPUTS[:, :3]), "x2"),
    (lambda: empirical_kernels(INPUTS, "tanh", 1.0, 0.1, 2, 0.5, 2, 1), "width"),
    (lambda: split_task(INPUTS, np.zeros(5), 5, 2), "n_train"),
    (lambda: pair_expectation("tanh", [1.0, math.nan], 1.0, 0.0), "k11"),
    (lambda: pair_expectation("sigmoid", 1.0, -1.0, 0.0), "k22"),
    (lambda: pair_expectation("tanh", 1.0, 1.0, math.inf), "k12"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        call()
