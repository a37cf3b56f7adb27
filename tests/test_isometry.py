"""The isometry study: Jacobian spectra of sampled networks against free probability (Pennington et al. 2017),
Haar orthogonality, the predicted density, the command line and bad input.

Statistical criterion: networks are independent, so each network gives one sample of a per-network statistic
(mean of λ, a bin fraction, ...); a pooled estimate is compared with the N → ∞ prediction in units of its
jackknife-over-networks (or standard) error. With 40 networks the studentised deviation is t-distributed with 39
degrees of freedom: P(|t| > 5.0) = 1.3e-5, so a test making up to 3 such comparisons fails < 1e-4 of the time
(Z = 5.0); 10 decile comparisons use Z_BINS = 5.3 (P = 4.8e-6 each). The finite-N bias of the moments is not
resolved by 40 networks (at N = 100, 200, 400 and L = 8 every mean and variance was within 2.7 errors of the
prediction; errors 1.5–5 % of the mean, 3–15 % of the variance), and on 6 seeds the |z| of these tests were ≤ 2.6.
"""
import math

import numpy as np
import pytest

from statmech_nn.io.runfile import read_run
from statmech_nn.meanfield import activation, fixed_point, sigma_w2_critical
from statmech_nn.meanfield.spectrum import d2_law, jjt_density, jjt_moments, jjt_variance
from statmech_nn.models import deepnet
from statmech_nn.models.deepnet import draw_layer
from statmech_nn.models.jacobian import haar_matrix, jacobian, singular_values
from statmech_nn.sims.cli import main
from statmech_nn.sims.isometry import STUDY
from statmech_nn.study import run_study
from statmech_nn.summaries.isometry import analyze

Z, Z_BINS = 5.0, 5.3
WIDTH, DEPTH, NETWORKS = 200, 8, 40
SB2 = 0.05  # q* = 0.57: tanh is well inside its nonlinear range


def critical(phi, sb2):
    sw2 = sigma_w2_critical(phi, sb2)
    q = fixed_point(phi, sw2, sb2).q_star
    return sw2, (q if math.isfinite(q) else 1.0)


# ---- Haar matrices ------------------------------------------------------------------------------------------
def _trace_z(matrices):
    """z-scores of E[tr O] = 0 and E[(tr O)²] = 1 (Haar on O(n), n ≥ 2) over the sample."""
    t = np.array([np.trace(o) for o in matrices])
    return abs(t.mean()) / (t.std() / math.sqrt(t.size)), abs((t**2).mean() - 1.0) / ((t**2).std() / math.sqrt(t.size))


def test_haar_matrices_orthogonal_haar_and_deepnets():
    """OᵀO = I; the trace moments of Haar O(4) (E tr O = 0, E (tr O)² = 1) and E[O_11²] = 1/n hold within Z
    standard errors over 4000 matrices, while QR of a Gaussian matrix without Mezzadri's sign fix is rejected;
    O is deepnet's matrix (the same network as signal-prop's)."""
    n, count = 4, 4000
    rng = np.random.default_rng(3)
    haar = [haar_matrix(rng, n) for _ in range(count)]
    assert max(np.abs(o.T @ o - np.eye(n)).max() for o in haar[:50]) < 1e-14
    assert max(_trace_z(haar)) < Z
    e11 = np.array([o[0, 0] ** 2 for o in haar])
    assert abs(e11.mean() - 1.0 / n) < Z * e11.std() / math.sqrt(count)
    unfixed = [np.linalg.qr(rng.standard_normal((n, n)))[0] for _ in range(count)]  # negative control
    assert max(_trace_z(unfixed)) > Z
    fixed = []
    for _ in range(count):
        q, r = np.linalg.qr(rng.standard_normal((n, n)))
        fixed.append(q * np.sign(np.diag(r)))
    assert max(_trace_z(fixed)) < Z
    seed = np.random.SeedSequence(9)
    lw = draw_layer(deepnet.stream(seed, 0, 1), 7, 0.0, "orthogonal")
    o = haar_matrix(deepnet.stream(seed, 0, 1), 7)
    assert np.abs(o - deepnet.haar_apply(lw.gauss, lw.sign, np.eye(7))).max() < 1e-14


@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_jacobian_is_the_derivative_of_deepnets_network(weights):
    """J = ∂x^L/∂x^0 against central differences of the network of deepnet.layer (same seed, same network)."""
    seed, n, depth, sw2, sb2 = np.random.SeedSequence(4), 12, 3, 1.7, 0.1
    phi = activation("tanh")
    h0 = deepnet.input_pair(deepnet.stream(seed, 0, 0), n, 0.8, 1.0)

    def output(h):  # x^L from the pair (h0 with its first column replaced)
        for layer in range(1, depth + 1):
            h = deepnet.layer(deepnet.stream(seed, 0, layer), h, phi, sw2, sb2, weights)
        return np.tanh(h[:, 0])

    x0 = np.tanh(h0[:, 0])
    numeric = np.empty((n, n))
    for j in range(n):
        step = np.zeros(n)
        step[j] = 1e-6
        plus, minus = h0.copy(), h0.copy()
        plus[:, 0], minus[:, 0] = np.arctanh(x0 + step), np.arctanh(x0 - step)
        numeric[:, j] = (output(plus) - output(minus)) / 2e-6
    exact = jacobian(seed, 0, "tanh", sw2, sb2, depth, n, 0.8, weights)
    assert np.abs(exact - numeric).max() < 1e-7


# ---- moments: sampled networks against free probability -------------------------------------------------------
CRITICAL = {"tanh": SB2, "relu": 0.0}  # σ_b² of the tested critical points (ReLU: (2, 0), q* = nan → q0 = 1)


def _run(directory, weights, phi="tanh", **extra):
    path = directory / f"{phi}_{weights}.h5"
    run_study(STUDY, {"phi": phi, "weights": weights, "sigma_b2": CRITICAL[phi], "depth": DEPTH, "width": WIDTH,
                      "networks": NETWORKS, "seed": 11, **extra}, path)
    return read_run(path)


@pytest.fixture(scope="module")
def critical_runs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("iso")
    return {(phi, weights): _run(directory, weights, phi) for phi in CRITICAL for weights in ("orthogonal", "gaussian")}


def _z(estimate, prediction):
    return abs(estimate.value - prediction) / estimate.error


@pytest.mark.parametrize("phi", ["tanh", "relu"])
@pytest.mark.parametrize("weights", ["orthogonal", "gaussian"])
def test_jjt_mean_and_variance_at_criticality(critical_runs, phi, weights):
    """E[λ] = χ_1^L = 1 and Var λ = L(μ₂/μ₁² − 1 − s₁) within Z jackknife errors (module docstring); the third
    moment (from the second S-transform coefficient) too. Negative controls: the other weight law's variance
    (measured |z| ≥ 6.7) and the mean at a σ_w² 5 % off (|z| ≥ 11) are rejected by the same criterion."""
    run = critical_runs[phi, weights]
    est = analyze(run)
    sw2, q = critical(phi, CRITICAL[phi])
    assert float(run.results["q0"]) == q
    m1, m2, m3 = jjt_moments(phi, sw2, q, DEPTH, weights)
    assert m1 == pytest.approx(1.0, abs=1e-12)
    assert float(run.results["jjt_variance_predicted"]) == pytest.approx(m2 - m1 * m1, rel=1e-12)
    assert _z(est["jjt_mean"], 1.0) < Z
    assert _z(est["jjt_variance"], m2 - m1 * m1) < Z
    assert _z(est["jjt_moment3"], m3) < Z
    other = "gaussian" if weights == "orthogonal" else "orthogonal"
    assert _z(est["jjt_variance"], jjt_variance(phi, sw2, q, DEPTH, other)) > Z
    assert _z(est["jjt_mean"], jjt_moments(phi, 1.05 * sw2, q, DEPTH, weights)[0]) > Z


def test_moments_off_criticality(tmp_path):
    """At σ_w² = 1.15 σ_w²,c (chaotic, q* = 0.74) the orthogonal network's E[λ] = χ_1^L = 1.50 and
    Var λ = χ_1^{2L} L(μ₂/μ₁² − 1) within Z jackknife errors (the exact finite-L S-transform moments); the critical
    prediction (mean 1) is rejected."""
    sw2 = 1.15 * sigma_w2_critical("tanh", SB2)
    q = fixed_point("tanh", sw2, SB2).q_star
    est = analyze(_run(tmp_path, "orthogonal", sigma_w2=sw2))
    m1, m2, m3 = jjt_moments("tanh", sw2, q, DEPTH, "orthogonal")
    assert m1 > 1.4
    assert _z(est["jjt_mean"], m1) < Z
    assert _z(est["jjt_variance"], jjt_variance("tanh", sw2, q, DEPTH, "orthogonal")) < Z
    assert _z(est["jjt_moment3"], m3) < Z
    assert _z(est["jjt_mean"], 1.0) > Z


def test_results_layout(critical_runs):
    run = critical_runs["tanh", "orthogonal"]
    sv = run.results["singular_values"]
    assert sv.shape == (NETWORKS, WIDTH) and np.all(np.diff(sv, axis=1) >= 0)
    assert float(run.results["jjt_mean"]) == pytest.approx(np.mean(sv**2), rel=1e-12)
    assert float(run.results["jjt_variance"]) == pytest.approx(np.var(sv**2), rel=1e-12)
    for name in ("jjt_mean", "jjt_variance", "jjt_variance_predicted"):
        assert run.results[name].shape == ()
    assert run.results["density"].shape == run.results["density_x"].shape
    assert np.array_equal(run.observables["jjt_mean"].step, np.arange(NETWORKS))


# ---- free-probability moments and density -----------------------------------------------------------------------
@pytest.mark.parametrize("depth", [1, 3, 8])
def test_moments_closed_forms(depth):
    """Linear Gaussian networks: JJᵀ is a product of L Ginibre matrices, moments are Fuss–Catalan numbers
    1, L + 1, (L + 1)(3L + 2)/2. One orthogonal layer: JJᵀ = σ_w² D², moments σ_w^{2k} μ_k. Off criticality the
    variance is χ_1^{2L} L(μ₂/μ₁² − 1 − s₁) (log S is additive: exact for every L, not only near isometry)."""
    assert jjt_moments("linear", 1.0, 1.0, depth, "gaussian") == pytest.approx(
        (1.0, depth + 1.0, (depth + 1) * (3 * depth + 2) / 2), rel=1e-12)
    law = d2_law("tanh", 0.7)
    assert jjt_moments("tanh", 1.3, 0.7, 1, "orthogonal") == pytest.approx(
        tuple(1.3**k * law.moment(k) for k in (1, 2, 3)), rel=1e-12)
    for weights in ("gaussian", "orthogonal"):
        m1, m2, _ = jjt_moments("tanh", 1.3, 0.7, depth, weights)
        assert jjt_variance("tanh", 1.3, 0.7, depth, weights) == pytest.approx(m2 - m1 * m1, rel=1e-10)


@pytest.mark.parametrize("phi,sb2,depth", [("tanh", 1e-4, 2), ("tanh", 1e-4, 8), ("tanh", 1e-4, 32)])
def test_density_normalised_with_the_s_transform_moments(phi, sb2, depth):
    """ρ from the Stieltjes equation integrates to 1 and reproduces E[λ^k], k = 1..3 (orthogonal weights: compact
    support at q* = 0.046, integrated where ρ > 1e-4 max ρ; outside lie the Cauchy tails of the smoothing ε = 1e-4 x).
    Measured deviations ≤ 3.3e-4 (smoothing and grid); tolerance 3e-3, while the moments of the L + 1 law (≥ 2 %
    away) are rejected."""
    sw2, q = critical(phi, sb2)
    m = (1.0, *jjt_moments(phi, sw2, q, depth, "orthogonal"))
    x = np.linspace(1e-3, m[1] + 12 * math.sqrt(m[2] - 1), 1500)
    rho = jjt_density(phi, sw2, q, depth, "orthogonal", x).rho
    assert rho.min() >= 0
    support = slice(*np.nonzero(rho > 1e-4 * rho.max())[0][[0, -1]] + [0, 1])
    got = [np.trapezoid(x[support] ** k * rho[support], x[support]) for k in range(4)]
    assert got == pytest.approx(m, rel=3e-3)
    deeper = (1.0, *jjt_moments(phi, sw2, q, depth + 1, "orthogonal"))
    assert got != pytest.approx(deeper, rel=3e-3)


@pytest.mark.parametrize("weights", ["orthogonal", "gaussian"])
def test_density_matches_sampled_histogram(weights):
    """Fractions of each network's eigenvalues in the deciles of the predicted law (N = 200, L = 4, 40 networks):
    every decile within Z_BINS standard errors of 0.1 (measured max 1.7); the deciles of the L = 5 law are rejected
    (measured max z 24 orthogonal, 34 Gaussian)."""
    n, depth, nets = 200, 4, 40
    sw2, q = critical("tanh", SB2)
    lam = singular_values(np.random.SeedSequence(21), range(nets), "tanh", sw2, SB2, depth, n, q, weights,
                          threads=2) ** 2

    def max_z(law_depth):
        hi = float(np.max(lam)) * 1.5
        x = np.geomspace(1e-10, hi, 3000)
        rho = jjt_density("tanh", sw2, q, law_depth, weights, x).rho
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (rho[1:] + rho[:-1]) * np.diff(x))])
        cdf = (cdf + (1.0 - cdf[-1])) if weights == "gaussian" else cdf / cdf[-1]  # unresolved mass: below x[0]
        edges = np.interp(np.linspace(0.1, 0.9, 9), cdf, x)
        counts = np.array([np.histogram(row, np.concatenate([[0.0], edges, [np.inf]]))[0] for row in lam]) / n
        return np.max(np.abs(counts.mean(0) - 0.1) / (counts.std(0, ddof=1) / math.sqrt(nets)))

    assert max_z(depth) < Z_BINS
    assert max_z(depth + 1) > Z_BINS


def test_reproducible_across_threads_chunks_and_resume():
    """A network's singular values depend only on (seed, network index): the same bits with 1 or 2 threads, alone or
    in a batch, and when the run is advanced in chunks from a copied (checkpointed) state."""
    sw2, q = critical("tanh", SB2)
    args = ("tanh", sw2, SB2, 3, 40, q, "orthogonal")
    seed = np.random.SeedSequence(8)
    two = singular_values(seed, range(4), *args, threads=2)
    assert np.array_equal(two, singular_values(seed, range(4), *args, threads=1))
    assert np.array_equal(two[2:3], singular_values(seed, [2], *args))
    sim = STUDY.build(STUDY.settings({"depth": 3, "width": 40, "networks": 5, "sigma_b2": SB2, "seed": 8}))
    whole = sim.start()
    sim.advance(whole, 5)
    parts = sim.start()
    sim.advance(parts, 1)
    parts = {k: v.copy() for k, v in parts.items()}  # as if resumed from a checkpoint
    while sim.progress(parts)[0] < 5:
        sim.advance(parts, 1)
    assert np.array_equal(whole["singular_values"], parts["singular_values"])
    assert np.array_equal(whole["singular_values"][:4], two)


# ---- command line -------------------------------------------------------------------------------------------
def test_cli_smoke_and_reproducible(tmp_path, capsys):
    args = ["isometry", "--phi", "relu", "--weights", "gaussian", "--sigma-b2", "0", "--depth", "3", "--width", "30",
            "--networks", "2", "--seed", "5", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "a.h5")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.h5")]) == 0
    a, b = read_run(tmp_path / "a.h5"), read_run(tmp_path / "b.h5")
    assert np.array_equal(a.results["singular_values"], b.results["singular_values"])
    assert float(a.results["sigma_w2"]) == 2.0 and float(a.results["q0"]) == 1.0  # ReLU (2, 0): q* = nan → 1
    assert float(a.results["density_atom_zero"]) == 0.5
    assert main(["isometry", "--sigma-w2", "1.5", "--depth", "2", "--width", "20", "--networks", "1",
                 "--quiet", "--out", str(tmp_path / "c.h5")]) == 0
    assert float(read_run(tmp_path / "c.h5").results["sigma_w2"]) == 1.5


@pytest.mark.parametrize("flag,value,extra", [("--weights", "foo", []), ("--depth", "0", []), ("--width", "1", []),
                                              ("--sigma-b2", "-1", []), ("--networks", "0", []), ("--phi", "cosh", []),
                                              ("--sigma-w2", "-2", []), ("--depth", "1000", ["--sigma-w2", "4"])])
def test_bad_input(tmp_path, capsys, flag, value, extra):
    """One line naming the parameter and the value; the last case: χ_1^L = 1.36^1000 is out of floating range."""
    assert main(["isometry", flag, value, *extra, "--out", str(tmp_path / "x.h5")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag[2:].replace("-", "_") in err and value in err
    assert not (tmp_path / "x.h5").exists()
