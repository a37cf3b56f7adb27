"""The renormalization-group studies: exact 1-D decimation as an RBM, block spins, equilibrium data sets,
receptive-field locality, reproducibility and bad input (docs/rg.md).

Statistical tests use fixed seeds and reject at |z| > Z = 4.5 (two-sided p ≈ 7e-6 for a correct code), with errors
from the run's own integrated autocorrelation time; each has a negative control the same test rejects."""
from __future__ import annotations

import itertools
import math

import numba
import numpy as np
import pytest

from statmech_nn.stats import tau_int
from statmech_nn.io.runfile import read_run
from statmech_nn.models.ising import T_CRITICAL, exact_ensemble
from statmech_nn.rbm.train import init_state, model_of, train
from statmech_nn.rg import blockspin, decimation, flow, locality, stack
from statmech_nn.rg.compare import unpack
from statmech_nn.samplers.ising_ensemble import equilibrium_configurations, quenched_configurations
from statmech_nn.sims import rg as rg_sims
from statmech_nn.sims.cli import main
from statmech_nn.summaries import rg as rg_summaries

Z = 4.5


@pytest.fixture
def one_thread():
    """Numba kernels on one thread (results do not depend on it; on a loaded machine it is much faster)."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)


# ---------------------------------------------------------------------------------------------------------------
# 1-D exact construction
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("K", [0.05, 0.5, 1.0, 2.5])
@pytest.mark.parametrize("N", [4, 8, 16])
def test_decimation_rbm_hidden_marginal_is_the_decimated_chain(K, N):
    check = decimation.decimation_check(K, N)
    assert abs(check["kl"]) < 1e-12
    assert check["free_energy_error"] < 1e-12 * N
    assert check["log_z_error"] < 1e-12 * N


def test_decimation_matches_brute_force_sum_over_the_odd_spins():
    """Independent of the RBM code: sum e^{K Σ s_i s_{i+1}} over the odd sites of all 2^N chains."""
    K, N = 0.8, 10
    Kp, g = decimation.decimated_coupling(K), decimation.free_energy_constant(K)
    assert math.isclose(math.tanh(Kp), math.tanh(K) ** 2, rel_tol=1e-14)
    marginal = {}
    for s in itertools.product((-1, 1), repeat=N):
        s = np.array(s)
        weight = math.exp(K * np.sum(s * np.roll(s, -1)))
        key = tuple(s[0::2])
        marginal[key] = marginal.get(key, 0.0) + weight
    for h, w in marginal.items():
        h = np.array(h)
        assert math.isclose(w, math.exp(N / 2 * g + Kp * np.sum(h * np.roll(h, -1))), rel_tol=1e-12)


def test_decimation_flow_goes_to_zero_and_keeps_the_physical_correlation_length():
    K = decimation.flow(1.0, 6)
    assert np.all(np.diff(K) < 0) and K[-1] < 1e-6
    np.testing.assert_allclose(np.tanh(K[1:]), np.tanh(K[:-1]) ** 2, rtol=1e-12)
    xi = np.array([decimation.correlation_length(k) * 2**n for n, k in enumerate(K)])
    np.testing.assert_allclose(xi, xi[0], rtol=1e-9)  # ξ in units of the original lattice spacing


def test_decimation_negative_control_wrong_coupling_has_positive_kl():
    model = decimation.decimation_rbm(1.0, 12)
    Kp = decimation.decimated_coupling(1.0)
    assert decimation.hidden_marginal_kl(model, 1.05 * Kp) > 1e-4
    assert decimation.hidden_marginal_kl(model, 1.0) > 1e-2  # "no renormalisation": K' = K


def test_rg_decimate_1d_run(tmp_path):
    out = tmp_path / "flow1d.h5"
    assert main(["rg-decimate-1d", "--K", "1.0", "--steps", "4", "--out", str(out), "--quiet"]) == 0
    run = read_run(out)
    np.testing.assert_allclose(run["K"], decimation.flow(1.0, 4), rtol=1e-15)
    assert np.max(np.abs(run["kl"])) < 1e-12
    assert rg_summaries.analyze(run)["xi_scaled_spread"].value < 1e-9


# ---------------------------------------------------------------------------------------------------------------
# Block spins and lattice statistics
# ---------------------------------------------------------------------------------------------------------------
def test_majority_rule_on_hand_made_lattices():
    x = np.ones((1, 6, 6), np.int8)
    x[0, :3, :3] = -1          # block (0, 0) all down
    x[0, 0, 3] = x[0, 1, 4] = -1  # block (0, 1): 7 up, 2 down -> up
    x[0, 3:, 3:] = [[-1, -1, 1], [-1, -1, 1], [1, 1, 1]]  # block (1, 1): 4 down, 5 up -> up
    x[0, 3:, :3] = [[-1, -1, -1], [-1, -1, 1], [1, 1, 1]]  # block (1, 0): 5 down -> down
    np.testing.assert_array_equal(blockspin.majority_rule(x, 3, 0)[0], [[-1, 1], [-1, 1]])
    y = np.array([[[1, 1, -1, -1], [1, -1, -1, -1], [1, -1, 1, 1], [-1, 1, 1, 1]]], np.int8)
    coarse = blockspin.majority_rule(y, 2, 0)[0]
    assert coarse[0, 1] == -1 and coarse[1, 1] == 1  # sums -4 and +4
    assert coarse[0, 0] == 1  # sum +2
    assert coarse[1, 0] in (-1, 1)  # sum 0: a tie


def test_majority_rule_ties_are_fair_coins_and_reproducible():
    tied = np.tile(np.array([[1, -1], [-1, 1]], np.int8), (4, 50, 50))  # every 2×2 block sums to 0
    a = blockspin.majority_rule(tied, 2, 7)
    np.testing.assert_array_equal(a, blockspin.majority_rule(tied, 2, 7))
    assert not np.array_equal(a, blockspin.majority_rule(tied, 2, 8))
    n = a.size
    assert abs(a.mean()) * math.sqrt(n) < Z  # mean of n fair ±1 coins has standard deviation 1/√n


def test_lattice_statistics_in_the_T_to_0_and_T_to_infinity_limits():
    ordered = np.concatenate([np.ones((3, 8, 8), np.int8), -np.ones((3, 8, 8), np.int8)])
    for configs in (ordered, blockspin.majority_rule(ordered, 2, 1)):
        st = blockspin.lattice_statistics(configs)
        assert st["energy"] == -2.0 and st["abs_magnetization"] == 1.0
        np.testing.assert_array_equal(st["correlation"], 1.0)
    rng = np.random.default_rng(3)
    hot = np.where(rng.random((4000, 8, 8)) < 0.5, 1, -1).astype(np.int8)
    for configs in (hot, blockspin.majority_rule(hot, 2, 2)):  # fair tie-breaks keep random spins random
        st = blockspin.lattice_statistics(configs)
        assert abs(st["energy"]) < Z * st["energy_error"]
        g, err = st["correlation"][1:], st["correlation_error"][1:]
        assert np.all(np.abs(g) < Z * err)
        assert st["correlation"][0] == 1.0
    # negative control: biased tie-breaking (ties -> +1) leaves a magnetisation the same test sees
    biased = np.where(hot.reshape(4000, 4, 2, 4, 2).sum(axis=(2, 4)) >= 0, 1, -1).astype(np.int8)
    _, m = blockspin.energy_magnetization(biased)
    assert abs(m.mean()) > Z * m.std(ddof=1) / math.sqrt(len(m))


def test_correlation_function_matches_direct_sum():
    x = np.where(np.random.default_rng(0).random((3, 6, 6)) < 0.5, 1, -1).astype(np.int8)
    direct = np.array([[(np.mean(c * np.roll(c, -r, 0)) + np.mean(c * np.roll(c, -r, 1))) / 2 for r in range(4)]
                       for c in x])
    np.testing.assert_allclose(blockspin.correlation_function(x), direct, atol=1e-12)
    e, _ = blockspin.energy_magnetization(x)
    np.testing.assert_allclose(e, -2.0 * direct[:, 1], atol=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Equilibrium configurations
# ---------------------------------------------------------------------------------------------------------------
def _z_energy(energy: np.ndarray, exact: float) -> float:
    tau = tau_int(energy)[0]
    return (energy.mean() - exact) / (energy.std(ddof=1) * math.sqrt(2.0 * tau / len(energy)))


@pytest.mark.parametrize("algorithm", ["wolff", "metropolis"])
def test_equilibrium_configurations_match_exact_enumeration(algorithm):
    L, T = 4, T_CRITICAL
    configs, info = equilibrium_configurations(L, T, 4000, 11, algorithm=algorithm)
    assert configs.shape == (4000, L, L) and configs.dtype == np.int8
    e, m = blockspin.energy_magnetization(configs)
    np.testing.assert_array_equal(e, info["energy"])
    ens = exact_ensemble(L, T)
    assert abs(_z_energy(e, ens.expect(lambda e, m: e))) < Z
    assert abs(_z_energy(np.abs(m), ens.expect(lambda e, m: np.abs(m)))) < Z
    assert info["spacing"] >= 2.0 * info["tau_max"] and np.all(info["burn_in"] >= 100 * info["tau_max"])
    assert np.all(info["tau_samples_energy"] < 1.5)  # stored samples nearly independent
    # negative controls: a 10 % wrong temperature, and one Metropolis sweep from random starts
    wrong = exact_ensemble(L, 1.1 * T).expect(lambda e, m: e)
    assert abs(_z_energy(e, wrong)) > Z
    quenched, _ = blockspin.energy_magnetization(quenched_configurations(L, T, 2000, 1, 12))
    assert abs(_z_energy(quenched, ens.expect(lambda e, m: e))) > Z


def test_equilibrium_configurations_reproducible_and_validated():
    a, info_a = equilibrium_configurations(6, 3.0, 50, 5)
    b, _ = equilibrium_configurations(6, 3.0, 50, 5)
    c, _ = equilibrium_configurations(6, 3.0, 50, 6)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert info_a["n_chains"] == 4 and len(info_a["burn_in"]) == 4
    for kwargs, name in (({"T": -1.0}, "'T'"), ({"T": math.nan}, "'T'"), ({"L": 1}, "'L'"),
                         ({"n_samples": 0}, "'n_samples'")):
        args = {"L": 6, "T": 3.0, "n_samples": 5, **kwargs}
        with pytest.raises(ValueError, match=name):
            equilibrium_configurations(args["L"], args["T"], args["n_samples"], 1)
    with pytest.raises(ValueError, match="'L'"):
        equilibrium_configurations(5, 3.0, 5, 1, algorithm="metropolis")


# ---------------------------------------------------------------------------------------------------------------
# Receptive-field locality
# ---------------------------------------------------------------------------------------------------------------
def _trained_fields(data: np.ndarray) -> np.ndarray:
    s = stack.layer_settings(16, learning_rate=0.05, l1=0.03, batch_size=50)
    state = init_state(s, data, 1)
    train(s, data, state, 20)
    return model_of(state, "spin").weights


def test_receptive_fields_are_local_and_the_control_is_not(one_thread):
    """An 8×8 → 16 RBM with L1 on T = 2.451 data: the best 3×3 block holds far more of |w| than for shuffled
    weights. Negative control: the same training on data whose sites are permuted (no lattice geometry)."""
    L, k = 8, 3
    configs, _ = equilibrium_configurations(L, 2.451, 1000, 3)
    data = configs.reshape(len(configs), -1).astype(np.float64)
    W = _trained_fields(data)
    local = locality.block_fraction(W, L, k).mean()
    control = locality.block_fraction(locality.shuffled(W, 0), L, k).mean()
    assert local > 1.5 * control
    assert np.median(locality.effective_block_size(W, L)) < np.median(
        locality.effective_block_size(locality.shuffled(W, 0), L))
    permuted = _trained_fields(data[:, np.random.default_rng(5).permutation(L * L)])
    assert locality.block_fraction(permuted, L, k).mean() < 1.2 * locality.block_fraction(
        locality.shuffled(permuted, 0), L, k).mean()


def test_block_fraction_and_receptive_field_products():
    f = np.zeros((36, 3))
    f[0, 0] = 1.0
    f[[0, 1, 6, 7], 1] = 1.0
    f[35, 1] = 1.0  # wraps around: still within reach of a periodic 3×3 block with (0, 0)
    f[:, 2] = 1.0
    np.testing.assert_allclose(locality.block_fraction(f, 6, 2), [1.0, 0.8, 4 / 36])
    np.testing.assert_allclose(locality.block_fraction(f, 6, 3), [1.0, 1.0, 9 / 36])
    np.testing.assert_array_equal(locality.effective_block_size(f, 6), [1, 2, 5])
    # a single strong site over a floor of tiny weights (what L1 leaves): |w| is dominated by the floor, w² is not
    floor = np.full((400, 1), 0.01)
    floor[210] = 1.0
    assert locality.block_fraction(floor, 20, 1)[0] < 0.5 and locality.effective_block_size(floor, 20)[0] == 1
    W = [np.arange(6.0).reshape(3, 2), np.ones((2, 4)), np.eye(4)]
    prods = locality.receptive_fields(W)
    np.testing.assert_allclose(prods[2], W[0] @ W[1])


# ---------------------------------------------------------------------------------------------------------------
# Studies: runs, reproducibility, resume, figures, bad input
# ---------------------------------------------------------------------------------------------------------------
STACK_ARGS = ["rg-stack", "--L", "8", "--layers", "64,16,4", "--samples", "300", "--epochs", "2",
              "--batch-size", "30", "--seed", "3", "--quiet"]


def test_rg_stack_run_analysis_and_figures(tmp_path, one_thread):
    out = tmp_path / "stack.h5"
    assert main([*STACK_ARGS, "--out", str(out)]) == 0
    run = read_run(out)
    r = run.results
    assert r["weights_1"].shape == (64, 16) and r["weights_2"].shape == (16, 4)
    np.testing.assert_array_equal(unpack(r["configurations"], 8).shape, (300, 8, 8))
    assert len(run["layer"]) == 4 and list(run["layer"]) == [1, 1, 2, 2]
    est = rg_summaries.analyze(run)
    # the block spins of equilibrium data at depth 1 are a genuine 4×4 lattice: |e| ≤ 2, and data e matches info
    assert -2.0 <= est["blockspin_energy_1"].value <= 0.0
    assert main(["plot", str(out), "--receptive-fields", "--out", str(tmp_path / "rf.png")]) == 0
    assert main(["plot", str(out), "--out", str(tmp_path / "run.png")]) == 0
    assert (tmp_path / "rf.png").stat().st_size > 1000


def _copy(state):
    return {k: _copy(v) if isinstance(v, dict) else np.array(v) for k, v in state.items()}


def _assert_same(a, b, path=""):
    assert a.keys() == b.keys(), path
    for name in a:
        if isinstance(a[name], dict):
            _assert_same(a[name], b[name], f"{path}{name}/")
        else:
            np.testing.assert_array_equal(a[name], b[name], err_msg=path + name)


def test_rg_stack_resume_is_bit_identical(one_thread):
    """Advancing in pieces with a fresh simulation object in between (a resume) equals one uninterrupted pass."""
    study = rg_sims.STACK_STUDY
    settings = study.settings({"L": 8, "layers": "64,16,4", "samples": 200, "epochs": 2, "batch_size": 20,
                               "seed": 9})
    whole = study.build(settings)
    state = whole.start()
    while whole.progress(state)[0] < whole.progress(state)[1]:
        whole.advance(state, 1)
    pieces = study.build(settings)
    other = pieces.start()
    for _ in range(3):
        pieces.advance(other, 1)
    resumed = study.build(settings)
    other = _copy(other)
    while resumed.progress(other)[0] < resumed.progress(other)[1]:
        resumed.advance(other, 1)
    _assert_same(state, other)


def test_rg_flow_small_run(tmp_path, one_thread):
    out = tmp_path / "flow.h5"
    args = ["rg-flow", "--L", "6", "--temperatures", "6", "--samples-per-T", "40", "--n-hidden", "8", "--epochs",
            "2", "--flow-steps", "3", "--flow-samples", "20", "--batch-size", "20", "--flow-starts", "1.0,5.0",
            "--seed", "2", "--quiet", "--out", str(out)]
    assert main(args) == 0
    run = read_run(out)
    assert run["T_energy"].shape == (4, 2) and len(run["reconstruction_error"]) == 2
    # iteration 0 is the equilibrium data itself: matched temperatures bracket the true ones on the grid
    grid = run.results["temperatures"]
    assert run["T_energy"][0, 0] < run["T_energy"][0, 1] and grid[0] <= run["T_energy"][0, 0] <= grid[-1]
    assert np.all(np.isin(run["T_correlation"], np.linspace(grid[0], grid[-1], 20 * len(grid))))


def test_temperature_matching_recovers_reference_points():
    grid = np.linspace(0.5, 6.0, 12)
    e_ref = -2.0 * np.tanh(1.0 / grid)
    np.testing.assert_allclose(flow.match_energy(e_ref[[2, 7]], grid, e_ref), grid[[2, 7]])
    g_ref = np.exp(-np.arange(5)[None, :] / grid[:, None])
    found = flow.match_correlation(g_ref[[3, 9]], grid, g_ref, np.full_like(g_ref, 0.01))
    np.testing.assert_allclose(found, grid[[3, 9]], atol=(grid[-1] - grid[0]) / (20 * len(grid)))


@pytest.mark.parametrize("args, name", [
    (["rg-stack", "--L", "30", "--layers", "1600,500"], "'layers'"),
    (["rg-stack", "--L", "40", "--layers", "1600,2000"], "'layers'"),
    (["rg-stack", "--L", "40", "--layers", "1600"], "'layers'"),
    (["rg-stack", "--L", "40", "--layers", "16x,4"], "'layers'"),
    (["rg-stack", "--T", "-1"], "'T'"),
    (["rg-stack", "--T", "nan"], "'T'"),
    (["rg-stack", "--L", "9", "--layers", "81,9"], "'L'"),
    (["rg-stack", "--samples", "10", "--batch-size", "20"], "'batch_size'"),
    (["rg-decimate-1d", "--K", "-1"], "'K'"),
    (["rg-decimate-1d", "--K", "nan"], "'K'"),
    (["rg-decimate-1d", "--steps", "0"], "'steps'"),
    (["rg-decimate-1d", "--N", "7"], "'N'"),
    (["rg-flow", "--flow-starts", "1.0,-2"], "'flow_starts'"),
    (["rg-flow", "--temperatures", "1"], "'temperatures'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, name):
    out = tmp_path / "bad.h5"
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name in err[0]
    assert not out.exists()
