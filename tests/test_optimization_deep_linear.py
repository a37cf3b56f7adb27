"""Deep linear networks (statmech_nn.nets.deep_linear, study deep-linear): Saxe et al.'s mode dynamics against
gradient descent, Arora et al.'s balancedness invariant, and the stalled start."""
from __future__ import annotations

import numpy as np
import pytest

from statmech_nn.nets import GD, Objective
from statmech_nn.nets import deep_linear as dl
from statmech_nn.sims.cli import main
from statmech_nn.study import get_study, run_study

S = (2.0, 1.0)


def setup(depth, scale, init="balanced", seed=3):
    s_matrix, u, v = dl.target(seed, S, 3)
    x, y = dl.whitened_data(s_matrix)
    obj = Objective(dl.network(depth, 3), "mse", x, y)
    return obj, dl.initial_params(obj.model, seed, u, v, scale, init), u, v, s_matrix


def gd_half_times(depth, scale, lr, t_max, init="balanced"):
    obj, theta, u, v, _ = setup(depth, scale, init)
    trainer = GD(lr)
    state, half = trainer.init(theta), np.full(len(S), np.nan)
    dl.advance(trainer, state, obj, int(round(t_max / lr)), u, v, half, 0.5 * np.array(S))
    return half, obj, state, theta


def test_whitened_loss_is_the_population_loss_and_start_is_balanced():
    obj, theta, u, v, s_matrix = setup(3, 0.4)
    w = dl.end_to_end(obj.model, theta)
    assert obj.value(theta) == pytest.approx(0.5 * np.sum((s_matrix - w) ** 2), rel=1e-13)
    np.testing.assert_allclose(dl.mode_strengths(obj.model, theta, u, v), 0.4**3, rtol=1e-12)
    assert max(np.abs(b).max() for b in dl.balancedness(obj.model, theta)) < 1e-15
    _, flipped, *_ = setup(3, 0.4, "flipped")
    np.testing.assert_allclose(dl.mode_strengths(obj.model, flipped, u, v), -(0.4**3), rtol=1e-12)


@pytest.mark.parametrize("s,u0", [(3.0, 1e-6), (1.0, 0.01), (2.0, 0.9)])
def test_quadrature_reproduces_the_closed_form_at_depth_two(s, u0):
    assert dl.quadrature_time(s, u0, s / 2, 2) == pytest.approx(dl.half_time(s, u0, 2), rel=1e-10)
    assert dl.quadrature_time(s, u0, s / 2, 1) == pytest.approx(dl.half_time(s, u0, 1), rel=1e-10)


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_trajectory_reaches_half_at_the_half_time(depth):
    u0 = 0.2**depth
    t_half = dl.half_time(1.5, u0, depth)
    u = dl.trajectory(np.array([0.0, t_half]), 1.5, u0, depth)
    assert u[0] == pytest.approx(u0, rel=1e-9) and u[1] == pytest.approx(0.75, rel=1e-7)
    # negative control: the half-time of the neighbouring depth is not
    other = dl.half_time(1.5, u0, depth + 1)
    assert abs(dl.trajectory(np.array([0.0, other]), 1.5, u0, depth)[1] - 0.75) > 0.01


@pytest.mark.parametrize("depth,scale", [(2, 0.05), (3, 0.3)])
def test_gradient_descent_half_times_converge_to_theory_at_first_order(depth, scale):
    """GD is forward Euler on the flow: its half-time error is O(lr), so halving lr halves it."""
    theory = np.array([dl.half_time(s, scale**depth, depth) for s in S])
    errors = []
    for lr in (0.01, 0.005):
        half, *_ = gd_half_times(depth, scale, lr, 1.2 * theory.max())
        errors.append(half - theory)
    ratio = errors[0] / errors[1]
    assert np.all((ratio > 1.8) & (ratio < 2.2)), ratio
    assert np.all(np.abs(errors[1]) < 2 * 0.005 * theory)
    wrong_depth = np.array([dl.half_time(s, scale**depth, depth + 1) for s in S])   # negative control
    assert np.all(np.abs(errors[1]) < 0.05 * np.abs(wrong_depth - theory))


def test_balancedness_drift_is_first_order_in_lr_and_catches_an_unbalanced_start():
    """B_j changes by lr² (G_{j+1}ᵀG_{j+1} − G_j G_jᵀ) per step, so the drift after a fixed time is ∝ lr (from a
    layer-wise random start); from the aligned balanced start the gradients are balanced too and B stays 0."""
    _, obj, state, theta0 = gd_half_times(3, 0.3, 0.02, 6.0)
    assert dl.balance_drift(obj.model, state["params"], theta0) < 1e-13
    drifts = []
    for lr in (0.02, 0.01):
        _, obj, state, theta0 = gd_half_times(3, 0.5, lr, 6.0, "random")
        drifts.append(dl.balance_drift(obj.model, state["params"], theta0))
    assert 1.8 < drifts[0] / drifts[1] < 2.2
    tolerance = 0.01 * max(S) ** 2   # O(lr·t·|G|²): small against |W_j|² ~ s^(2/3)
    assert drifts[1] < tolerance
    # negative control 1: a large step breaks the invariant beyond the tolerance
    _, obj, state, theta0 = gd_half_times(3, 0.5, 0.15, 6.0, "random")
    assert dl.balance_drift(obj.model, state["params"], theta0) > tolerance
    # negative control 2: the balancedness check itself rejects a perturbed (unbalanced) start
    obj, theta, *_ = setup(3, 0.3)
    perturbed = theta.copy()
    obj.model.layers(perturbed)[0][0][...] *= 1.5
    assert max(np.abs(b).max() for b in dl.balancedness(obj.model, perturbed)) > 1e-2


def test_flipped_start_stalls_at_the_saddle_while_balanced_converges():
    lr, steps = 0.02, 3000
    for init, converged in (("balanced", True), ("flipped", False)):
        obj, theta, u, v, s_matrix = setup(3, 0.3, init)
        state = GD(lr).init(theta)
        GD(lr).step(state, obj)
        for _ in range(steps):
            GD(lr).step(state, obj)
        loss = obj.value(state["params"])
        if converged:
            assert loss < 1e-12
        else:
            assert loss > 0.999 * 0.5 * sum(s * s for s in S)
            # the flow creeps into the saddle W = 0 (u ~ −1/(s t)³ for D = 3)
            assert np.all(np.abs(dl.mode_strengths(obj.model, state["params"], u, v)) < 1e-4)


def test_study_half_times_and_convergence_rate(tmp_path):
    values = {"depth": (2, 3), "singular_values": S, "init_scale": 0.3, "lr": 0.005, "steps": 3000,
              "log_every": 20, "seed": 7}
    study = get_study("deep-linear")
    outcome = run_study(study, values, None)
    est = study.analyze(outcome.run)
    for d in (2, 3):
        for s in S:
            key = f"D{d}_s{s:g}"
            measured, theory = est[f"half_time_{key}"].value, est[f"half_time_theory_{key}"].value
            assert abs(measured - theory) < 0.01 * theory
        rate, theory = est[f"convergence_rate_D{d}"], est[f"convergence_rate_theory_D{d}"].value
        assert abs(rate.value - theory) < 0.01 * theory
    r = outcome.run.results
    assert r["mode_strength_theory"].shape == outcome.run["mode_strength"].shape
    np.testing.assert_allclose(outcome.run["mode_strength"], r["mode_strength_theory"], atol=0.05)


@pytest.mark.parametrize("args,needle", [
    (["--width", "2", "--singular-values", "3,2,1"], "width"),
    (["--lr", "0.5"], "lr"),
    (["--init", "sideways"], "init"),
    (["--depth", "0"], "depth"),
])
def test_bad_input_is_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "dl.h5"
    assert main(["deep-linear", "--quiet", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
