"""The ``gradients`` study: backpropagated |δ^l|² of sampled networks against the backward mean-field recursion
on both sides of criticality (plain and residual), a negative control, reproducibility and bad input."""
import math

import numpy as np
import pytest

import statmech_nn
from statmech_nn.meanfield import fixed_point, gradient_ratio
from statmech_nn.sims.cli import main
from statmech_nn.summaries.gradients import log_slope
from tests.test_nngp import z_limit

SW2 = (1.3, 2.5)  # tanh, σ_b² = 0.05: ordered (χ_1 < 1) and chaotic (χ_1 > 1)
BASE = dict(phi="tanh", sigma_w2=SW2, sigma_b2=0.05, depth=12, width=200, networks=16, seed=3)


@pytest.fixture(scope="module", params=["plain", "resnet"])
def run(request):
    extra = {"q0": 1.0} if request.param == "resnet" else {}
    return statmech_nn.run("gradients", architecture=request.param, **BASE, **extra)


def _z(run, theory):
    est = statmech_nn.analyze(run)
    z = []
    for i, sw2 in enumerate(SW2):
        ratio = est[f"grad_ratio_sw{sw2:g}"]
        z.append(abs(ratio.value - theory[i][0]) / ratio.error)
    return np.array(z)


def test_backprop_matches_backward_recursion(run):
    """|δ^0|²/|δ^L|² (mean over 16 networks, N = 200, L = 12) within the Bonferroni t bound of the recursion, for
    the ordered and the chaotic σ_w² (plain: vanishing and exploding; resnet: growing)."""
    z = _z(run, run.results["grad_theory"])
    assert z.max() < z_limit(2 * len(SW2), BASE["networks"])


def test_negative_control_swapped_sigma_is_rejected(run):
    """The theory of the other σ_w² is far outside the same bound."""
    z = _z(run, run.results["grad_theory"][::-1])
    assert z.min() > z_limit(2 * len(SW2), BASE["networks"])


def test_plain_depth_scale_from_the_fixed_point():
    """Started at q*, the theory curve's log-slope is −ln χ_1 = 1/ξ_∇ exactly (every factor is χ_1)."""
    for sw2 in SW2:
        fp = fixed_point("tanh", sw2, 0.05)
        curve = gradient_ratio("tanh", sw2, 0.05, fp.q_star, 20)
        assert math.isclose(log_slope(curve), 1.0 / fp.xi_grad, rel_tol=1e-6)


def test_same_seed_same_numbers_any_threads():
    import numba

    small = dict(BASE, depth=4, width=30, networks=3)
    a = statmech_nn.run("gradients", **small)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        b = statmech_nn.run("gradients", **small)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(a["grad"], b["grad"])


@pytest.mark.parametrize("args, needle", [
    (["--sigma-w2", "1,-2"], "'sigma_w2'"),
    (["--architecture", "resnet", "--q0", "0"], "'q0'"),
    (["--architecture", "highway"], "'architecture'"),
    (["--width", "1"], "'width'"),
    (["--networks", "0"], "'networks'"),
])
def test_bad_input_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "g.h5"
    assert main(["gradients", *args, "--depth", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
