"""The chaos study: circle propagation against the mean-field length and curvature recursions (Poole et al. 2016),
transitions (Raghu et al. 2017), the non-growing ReLU regime, reproducibility, resume, command line, analysis."""
import math

import h5py
import numba
import numpy as np
import pytest

from statmech_nn.analysis import chaos as chaos_analysis
from statmech_nn.analysis.plots import save
from statmech_nn.io.runfile import read_run
from statmech_nn.meanfield import activation, fixed_point
from statmech_nn.meanfield.curvature import curve_theory, gaussian_width_factor, saturated_curvature
from statmech_nn.models import deepnet, manifold
from statmech_nn.sims import chaos
from statmech_nn.sims.cli import main

Z_MAX = 4.5  # |t| with ≥ 48 independent samples exceeds 4.5 with probability < 1e-4
SMALL = {"width": 200, "points": 256, "networks": 8, "depth": 7, "seed": 11}


def simulate(**values):
    settings = chaos.PARAMS.resolve({**SMALL, **values})
    sim = chaos.Chaos(settings, np.random.SeedSequence(settings.seed))
    state = sim.start()
    rows = sim.advance(state, settings.depth + 1)
    return sim, {name: rows[name][1].astype(float) for name in rows}


def t_statistic(samples, prediction) -> float:
    samples = np.ravel(samples)
    return abs(samples.mean() - prediction) / (samples.std(ddof=1) / math.sqrt(samples.size))


def log_length_ratios(rows):
    """ln(L_l / L_{l−1}) for every (layer, network): independent samples (fresh weights in every layer)."""
    return np.diff(np.log(rows["length"]), axis=0)


@pytest.mark.parametrize("sigma_w2", [1.5, 4.0])  # ordered (χ_1 = 0.88) and chaotic (χ_1 = 1.32)
def test_length_ratio_per_layer_is_sqrt_chi1(sigma_w2):
    """Mean of ln(L_l/L_{l−1}) over 7 layers × 8 networks against ln √χ_1; the O(1/N) finite-width bias
    (measured ≲ 2/N) is ≲ 0.4 s.e.m. at N = 200. Negative control: √χ_1 of σ_w² 10 % larger is rejected."""
    sim, rows = simulate(sigma_w2=sigma_w2)
    ratios = log_length_ratios(rows)
    assert t_statistic(ratios, 0.5 * math.log(float(sim.theory["chi1"]))) < Z_MAX
    wrong = fixed_point("tanh", 1.1 * sigma_w2, 0.1).chi1
    assert t_statistic(ratios, 0.5 * math.log(wrong)) > Z_MAX


@pytest.mark.parametrize("sigma_w2", [1.5, 4.0])
def test_curvature_map_against_simulation(sigma_w2):
    """One layer of the κ̄ map applied to each network's measured κ̄_{l−1} predicts its κ̄_l:
    ln(κ̄_l / √(f_N (3χ_2/χ_1² + κ̄_{l−1}²/χ_1))) has mean 0 within Z_MAX s.e.m. (N = 600), with f_N the exact
    finite-width factor of a Gaussian layer (gaussian_width_factor: +0.8 % in κ̄², ≈ 1.5 s.e.m.; the remaining
    O(1/N) bias is < 1 s.e.m.). Negative control: the map without Poole's factor 3 is rejected."""
    sim, rows = simulate(sigma_w2=sigma_w2, width=600, points=512)
    chi1, chi2 = float(sim.theory["chi1"]), float(sim.theory["chi2"])
    k = rows["curvature"]

    def residuals(factor):
        return np.log(k[1:] / np.sqrt(gaussian_width_factor(600) * (factor * chi2 / chi1**2 + k[:-1] ** 2 / chi1)))

    assert t_statistic(residuals(3.0), 0.0) < Z_MAX
    assert t_statistic(residuals(1.0), 0.0) > Z_MAX


def test_theory_at_the_input_circle_and_saturation():
    """Layer 0 of the theory is the exact geometry of the circle (L = 2π√(Nq*), κ̄ = 1/√q*, L^G = 2π,
    2 zeros per unit), which the discretised circle reproduces to the finite-difference error O(Δ²);
    in the chaotic phase κ̄_l tends to √(3χ_2/(χ_1(χ_1−1))) and L^G_{l+1}/L^G_l to √χ_1."""
    fp = fixed_point("tanh", 4.0, 0.1)
    n = 300
    theory = curve_theory("tanh", 4.0, 0.1, fp.q_star, 200, n)
    exact = (2 * math.pi * math.sqrt(n * fp.q_star), 1 / math.sqrt(fp.q_star), 2 * math.pi, 2 * n)
    for name, value in zip(chaos.OBSERVABLES, exact):
        assert theory[name][0] == pytest.approx(value, rel=1e-14)
    h = manifold.circle(np.random.default_rng(0), n, 4000, fp.q_star)
    measured = manifold.geometry(h)
    assert np.allclose(measured[:3], exact[:3], rtol=1e-6) and measured[3] == 2 * n
    assert np.allclose(theory["q"], fp.q_star, rtol=1e-12) and np.allclose(theory["chi1"][1:], fp.chi1, rtol=1e-12)
    assert theory["curvature"][-1] == pytest.approx(saturated_curvature(fp.chi1, fp.chi2), rel=1e-12)
    g = theory["grassmannian_length"]
    assert g[-1] / g[-2] == pytest.approx(math.sqrt(fp.chi1), rel=1e-12)


def test_transitions_grow_in_chaos_and_follow_rice():
    """Chaotic tanh: transitions grow with depth, in proportion to the measured trajectory length with Rice's
    constant, T_l = √N L^E_l / (π √q^l): the ratio over layers 1..7 × networks has mean 1 within Z_MAX s.e.m.
    (N = 400); a constant 5 % off is rejected."""
    sim, rows = simulate(sigma_w2=4.0, width=400)
    mean = rows["transitions"].mean(axis=1)
    assert np.all(np.diff(mean) > 0) and mean[-1] > 2 * mean[0]
    q = sim.theory["q_theory"][1:, None]
    ratio = rows["transitions"][1:] / (math.sqrt(400) * rows["length"][1:] / (math.pi * np.sqrt(q)))
    assert t_statistic(ratio, 1.0) < Z_MAX
    assert t_statistic(ratio, 1.05) > Z_MAX and t_statistic(ratio, 0.95) > Z_MAX


def test_relu_at_he_initialisation_does_not_grow():
    """ReLU, σ_w² = 2 (χ_1 = 1 at every q): ln(L_l/L_{l−1}) has mean 0 within Z_MAX s.e.m. (no exponential
    growth; Hanin, Jeong & Rolnick 2022), and the chaotic tanh growth rate √χ_1 = 1.15 is rejected."""
    sim, rows = simulate(phi="relu", sigma_w2=2.0, sigma_b2=0.0, q0=1.0)
    ratios = log_length_ratios(rows)
    assert float(sim.theory["chi1"]) == 1.0
    assert t_statistic(ratios, 0.0) < Z_MAX
    assert t_statistic(ratios, 0.5 * math.log(fixed_point("tanh", 4.0, 0.1).chi1)) > Z_MAX
    assert np.all(np.isinf(sim.theory["curvature_theory"][1:]))  # kinks: χ_2 = ∞


@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_reproducible_thread_and_chunk_invariant(weights):
    """Same seed → same bits with 1 or 2 Numba threads and advancing in chunks from a copied state; another
    seed differs. A layer here is the network deepnet.layer draws from the same stream."""
    small = {"width": 40, "points": 64, "networks": 2, "depth": 4, "weights": weights}
    _, whole = simulate(**small)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        _, single = simulate(**small)
    finally:
        numba.set_num_threads(threads)
    sim = chaos.Chaos(chaos.PARAMS.resolve({**SMALL, **small}), np.random.SeedSequence(SMALL["seed"]))
    state = sim.start()
    parts = [sim.advance(state, 2)]
    state = {k: v.copy() for k, v in state.items()}
    while sim.progress(state)[0] < small["depth"] + 1:
        parts.append(sim.advance(state, 1))
    for name in chaos.OBSERVABLES:
        assert np.array_equal(single[name], whole[name])
        assert np.array_equal(np.concatenate([p[name][1] for p in parts]), whole[name])
    _, other = simulate(**small, seed=12)
    assert not np.array_equal(other["length"], whole["length"])
    seed, phi = np.random.SeedSequence(3), activation("tanh")
    h = manifold.circle(deepnet.stream(seed, 0, 0), 40, 8, 1.0)
    mine = manifold.layer(deepnet.stream(seed, 0, 1), h, phi, 2.0, 0.1, weights)
    pair = deepnet.layer(deepnet.stream(seed, 0, 1), np.ascontiguousarray(h[[0, 5]].T), phi, 2.0, 0.1, weights)
    assert np.allclose(mine[[0, 5]], pair.T, rtol=0, atol=1e-12)


def test_cli_analysis_and_figures(tmp_path, capsys):
    out = tmp_path / "circle.h5"
    assert main(["chaos", "--phi", "tanh", "--sigma-w2", "4.0", "--sigma-b2", "0.1", "--width", "60",
                 "--depth", "4", "--points", "128", "--networks", "3", "--seed", "1", "--out", str(out),
                 "--quiet"]) == 0
    with h5py.File(out) as f:
        assert f.attrs["study"] == "chaos" and f.attrs["status"] == "complete"
        for name in chaos.OBSERVABLES:
            assert np.array_equal(f[f"observables/{name}/step"][()], np.arange(5))
            assert f[f"observables/{name}/value"].shape == (5, 3)
            assert f[f"results/{name}_theory"].shape == (5,)
        assert f["observables/transitions/value"].dtype == np.int64
        assert f["results/q0"][()] == f["results/q_star"][()]
        assert f["checkpoint/h"].size == 0 and f["checkpoint/progress"][()] == 5  # a complete run keeps no curve
    run = read_run(out)
    est = chaos_analysis.analyze(run)
    assert est["length_ratio"].n == 3 and est["length_ratio_theory"].value == pytest.approx(
        math.sqrt(float(run.results["chi1"])), rel=1e-12)
    assert est["curvature_L_theory"].value == run.results["curvature_theory"][4]
    assert main(["analyze", str(out)]) == 0 and "length_ratio" in capsys.readouterr().out
    for fig in (chaos_analysis.run_figure(run), chaos_analysis.poole_fig3([run, run]),
                chaos_analysis.poole_fig4([run]), chaos_analysis.raghu_length([run])):
        save(fig, tmp_path / "f.png")


BAD = [
    (["--points", "2"], "'points'"),
    (["--depth", "0"], "'depth'"),
    (["--sigma-w2", "-1"], "'sigma_w2'"),
    (["--sigma-b2", "nan"], "'sigma_b2'"),
    (["--phi", "foo"], "'phi'"),
    (["--width", "1"], "'width'"),
    (["--networks", "0"], "'networks'"),
    (["--weights", "haar"], "'weights'"),
    (["--q0", "-1"], "'q0'"),
    (["--phi", "relu", "--sigma-w2", "2", "--sigma-b2", "0.1"], "'q0'"),  # q* = ∞: the circle needs --q0
    (["--points", "100000", "--width", "10000", "--networks", "1"], "'points'"),  # 8 GB of state
]


@pytest.mark.parametrize("args,needle", BAD)
def test_bad_input_is_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "run.h5"
    assert main(["chaos", "--quiet", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err, err
    assert not out.exists()


def test_geometry_of_an_arbitrary_curve_ellipse():
    """An ellipse (semi-axes A > B) in a random plane of R^N: perimeter 4A E(1 − B²/A²), total turning
    L^G = 2π (convex planar curve), ⟨κ²⟩ over θ by quadrature of κ(θ)² = A²B²/(A² sin²θ + B² cos²θ)³;
    transitions: each coordinate of a centred ellipse changes sign twice. propagate() starts from the same values."""
    from scipy.integrate import quad
    from scipy.special import ellipe

    a, b, n, points = 3.0, 1.0, 50, 4000
    basis = np.linalg.qr(np.random.default_rng(1).standard_normal((n, 2)))[0]
    theta = 2 * np.pi * np.arange(points) / points
    h = np.outer(a * np.cos(theta), basis[:, 0]) + np.outer(b * np.sin(theta), basis[:, 1])
    length, kbar, grassmannian, transitions = manifold.geometry(h)
    kappa2 = lambda t: (a * b) ** 2 / (a * a * np.sin(t) ** 2 + b * b * np.cos(t) ** 2) ** 3  # noqa: E731
    assert length == pytest.approx(4 * a * ellipe(1 - b * b / (a * a)), rel=1e-6)
    assert kbar == pytest.approx(math.sqrt(n * quad(kappa2, 0, 2 * np.pi, limit=200)[0] / (2 * np.pi)), rel=1e-5)
    assert grassmannian == pytest.approx(2 * np.pi, rel=1e-5)
    assert transitions == 2 * n
    table = manifold.propagate(h, "tanh", 2.0, 0.1, 2, np.random.SeedSequence(0))
    assert table.shape == (3, 4) and np.array_equal(table[0], [length, kbar, grassmannian, transitions])
    with pytest.raises(ValueError):
        manifold.geometry(h[:2])
