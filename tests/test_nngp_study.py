"""The ``nngp`` study: its test errors are the library's GP prediction on the package's tasks, empirical kernels
of wide networks agree with the recursion (and a wrong depth is rejected), and bad input."""
import pytest

import statmech_nn
from statmech_nn.meanfield import gp_test_error
from statmech_nn.nets import data
from statmech_nn.rng import seed_sequence
from statmech_nn.sims.cli import main
from statmech_nn.summaries.nngp import kernel_agreement

KERNEL = dict(task="mixture", classes=3, dim=6, phi="relu", sigma_w2=(1.5, 2.5), sigma_b2=0.1, depth=(1, 4),
              train=60, test=40, width=600, networks=12, kernel_points=5, seed=2)


@pytest.fixture(scope="module")
def run():
    return statmech_nn.run("nngp", **KERNEL)


def test_test_error_is_the_library_gp_classifier(run):
    """The study's mixture error equals gp_test_error on the same split (the task from stream 5 of the seed)."""
    x, labels = data.mixture(seed_sequence(seed_sequence(2), 5), 100, k=3, d=6)
    for i, sw2 in enumerate(KERNEL["sigma_w2"]):
        for j, depth in enumerate(KERNEL["depth"]):
            expected = gp_test_error("relu", sw2, 0.1, depth, x[:60], labels[:60], x[60:], labels[60:], 3, 1e-6)
            assert run["test_error"][i, j] == pytest.approx(expected, abs=1e-12)


def test_empirical_kernels_match_recursion(run):
    """Mean K̂^L over 12 networks of width 600 (relu, L = 1, 4): the rms z over the 15 distinct entries is ≤ 3
    (E[z²] ≈ 1 + t-tails; an rms of 3 over 15 entries of 12-sample means has probability ≪ 1e-4 for a
    correct kernel, the O(1/N) bias being ≲ 0.1 s.e.m.)."""
    est = statmech_nn.analyze(run)
    for sw2 in KERNEL["sigma_w2"]:
        for depth in KERNEL["depth"]:
            assert est[f"kernel_rms_z_sw{sw2:g}_L{depth}"].value < 3.0


def test_negative_control_wrong_depth_is_rejected(run):
    """The same empirical kernels against the recursion one layer off: rms z ≫ 3."""
    emp = run["empirical_kernel"].reshape(2, KERNEL["networks"], 2, 5, 5)
    for i in range(2):
        rms, _ = kernel_agreement(emp[i, :, 1], run.results["kernel_theory"][i, 0])
        assert rms > 10.0


@pytest.mark.parametrize("args, needle", [
    (["--task", "mixture", "--classes", "5", "--dim", "3"], "'classes'"),
    (["--kernel-points", "50", "--train", "20"], "'kernel_points'"),
    (["--task", "mnist"], "'task'"),
    (["--depth", "1,-1"], "'depth'"),
    (["--train", "1"], "'train'"),
])
def test_bad_input_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "n.h5"
    assert main(["nngp", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
