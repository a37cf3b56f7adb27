"""signal-prop's residual (--architecture resnet) and finite-width (--finite-width 1) modes: simulation against
theory through the study, the one-width layout unchanged, the batch evaluator, and bad input."""
import math

import numpy as np
import pytest

import statmech_nn
from statmech_nn.meanfield import finite_width_curves, residual_curves, theory_curves
from statmech_nn.sims.cli import main
from statmech_nn.sims.signal_prop import STUDY, theory_grid
from statmech_nn.summaries.signal_prop import analyze, residual_estimates, residual_theory
from tests.test_nngp import z_limit

RES = dict(phi="tanh", sigma_w2=1.5, sigma_b2=0.05, depth=8, width=300, networks=24, seed=11,
           architecture="resnet")


@pytest.fixture(scope="module")
def resnet_run():
    return statmech_nn.run("signal-prop", **RES)


def _z(run, theory_q, theory_c):
    n = int(run.parameters["networks"])
    return np.concatenate([np.abs(run[k][1:] - t[1:]) / (run[f"{k}_std"][1:] / math.sqrt(n))
                           for k, t in (("q", theory_q), ("c", theory_c))])


def test_resnet_simulation_follows_residual_theory(resnet_run):
    """q^l, c^l of reduced residual tanh networks (N = 300, 24 networks, l = 1..8) within the Bonferroni t bound
    of the residual recursion (the finite-width bias ~ l/N is far below the error bars at these depths)."""
    curves = residual_curves("tanh", 1.5, 0.05, 1.0, 0.6, 8)
    np.testing.assert_array_equal(resnet_run.results["q_theory"], curves.p)
    z = _z(resnet_run, curves.p, curves.c)
    assert z.max() < z_limit(z.size, RES["networks"])


def test_resnet_negative_control_plain_theory_is_rejected(resnet_run):
    """The plain network's q^l (it saturates at q*, the residual stream grows) is far outside the same bound."""
    q, c = theory_curves("tanh", 1.5, 0.05, 1.0, 0.6, 8)
    z = _z(resnet_run, q, c)
    assert z.max() > 10 * z_limit(z.size, RES["networks"])


def test_resnet_summaries_and_batch_agree():
    """A theory-only resnet point: analyze of its run equals the sweep batch evaluator, and c_∞, κ are present."""
    settings = STUDY.settings(dict(phi="tanh", sigma_w2=2.0, sigma_b2=0.1, depth=40, architecture="resnet", seed=1))
    run = statmech_nn.run("signal-prop", **{k: settings[k] for k in ("phi", "sigma_w2", "sigma_b2", "depth",
                                                                      "architecture", "seed")})
    est = analyze(run)
    batch = theory_grid([settings])[0]
    assert set(batch) == set(est)
    for name, (value, error, _) in batch.items():
        assert value == est[name].value or (math.isnan(value) and math.isnan(est[name].value))
    assert 0 < est["c_inf"].value < 1 and 0 < est["kappa"].value < 1
    assert residual_estimates(residual_theory("tanh", 2.0, 0.1, 1.0, 0.6, 40))["grad_ratio"].value > 1


FW = dict(phi="tanh", sigma_w2=4.0, sigma_b2=0.1, depth=10, width=(16, 32), networks=2500, seed=5, finite_width=1)


@pytest.fixture(scope="module")
def fw_run():
    return statmech_nn.run("signal-prop", **FW)


def test_finite_width_corrected_theory_is_accepted(fw_run):
    """Every layer and width: mean ĉ^l, q̂^l within the Bonferroni bound of theory + coef/N; the study's stored
    coefficients are the library's."""
    fw = finite_width_curves("tanh", 4.0, 0.1, 1.0, 0.6, 10)
    np.testing.assert_array_equal(fw_run.results["c_coef"], fw.c_coef)
    n = FW["networks"]
    z = []
    for k, width in enumerate(FW["width"]):
        q, c = fw.at_width(width)
        for name, pred in (("q", q), ("c", c)):
            z.append(np.abs(fw_run[name][1:, k] - pred[1:]) / (fw_run[f"{name}_std"][1:, k] / math.sqrt(n)))
    z = np.concatenate(z)
    assert z.max() < z_limit(z.size, n)
    est = analyze(fw_run)
    assert est["p_c_corrected"].value > 1e-4


def test_finite_width_negative_control_uncorrected_theory_is_rejected(fw_run):
    """At N = 16, 32, layer 10, the c bias (≈ coef/N) is several s.e.m.: the N = ∞ curve fails the χ² test
    (p < 1e-4) and the fitted slope sits within its error of the predicted coefficient."""
    est = analyze(fw_run)
    assert est["p_c_infinite"].value < 1e-4
    slope, theory = est["c_bias_slope"], est["c_bias_slope_theory"].value
    assert abs(slope.value - theory) < 4.5 * slope.error


def test_one_width_list_is_the_old_int(tmp_path):
    """--width 50 and a one-element list give an int parameter and bit-identical rows."""
    a = statmech_nn.run("signal-prop", width=50, networks=2, depth=3, seed=3)
    b = statmech_nn.run("signal-prop", width=[50], networks=2, depth=3, seed=3)
    assert a.parameters["width"] == b.parameters["width"] == 50 and isinstance(b.parameters["width"], int)
    np.testing.assert_array_equal(a["c"], b["c"])


@pytest.mark.parametrize("args, needle", [
    (["--width", "50,100"], "'width'"),                                         # a list needs --finite-width 1
    (["--width", "50,100", "--finite-width", "1", "--architecture", "resnet"], "'architecture'"),
    (["--width", "1,100", "--finite-width", "1"], "'width'"),
    (["--architecture", "resnet", "--weights", "orthogonal", "--width", "20"], "'weights'"),
    (["--architecture", "convnet"], "'architecture'"),
    (["--residual", "half"], "'residual'"),
    (["--finite-width", "2"], "'finite_width'"),
    (["--sigma-v2", "0"], "'sigma_v2'"),
])
def test_bad_input_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "r.h5"
    assert main(["signal-prop", *args, "--depth", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
