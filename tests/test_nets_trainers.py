"""Trainers: convergence to closed forms, Gibbs sampling by Langevin dynamics, bit-identical resume."""
import io

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.nets import GD, SGD, Adam, Langevin, MLP, Objective, run
from statmech_nn.nets.data import xor
from statmech_nn.nets.trainers import standard_normals
from statmech_nn.rng import seed_sequence, xoshiro256_state


def test_gd_on_linear_least_squares_reaches_the_normal_equations():
    gen = np.random.default_rng(0)
    x, y = gen.standard_normal((200, 5)), gen.standard_normal((200, 1))
    obj = Objective(MLP((5, 1), "linear"), "mse", x, y)
    design = np.hstack([x, np.ones((200, 1))])
    exact = np.linalg.lstsq(design, y[:, 0], rcond=None)[0]  # parameter layout: W (5×1), then b
    lr = 1.0 / np.linalg.eigvalsh(design.T @ design / 200).max()
    trainer = GD(lr)
    state = trainer.init(np.zeros(6))
    losses = run(trainer, state, obj, 300)
    np.testing.assert_allclose(state["params"], exact, atol=1e-10)
    assert np.all(np.diff(losses) <= 0) and int(state["step"]) == 300


def test_adam_learns_xor_and_a_linear_model_cannot():
    x, y = xor()
    net = MLP((2, 8, 2), "tanh")
    obj = Objective(net, "cross_entropy", x, y)
    trainer = Adam(lr=0.05)
    state = trainer.init(net.init(1))
    losses = run(trainer, state, obj, 400)
    assert losses[-1] < 0.02 * losses[0]
    assert np.array_equal(net.forward(state["params"], x).argmax(1), y)
    # negative control: no hidden layer, XOR is not linearly separable
    linear = Objective(MLP((2, 2), "linear"), "cross_entropy", x, y)
    lin_state = trainer.init(linear.model.init(1))
    run(trainer, lin_state, linear, 400)
    assert not np.array_equal(linear.model.forward(lin_state["params"], x).argmax(1), y)


def test_standard_normals_moments():
    z = standard_normals(xoshiro256_state(seed_sequence(7)), 200_001)
    assert z.shape == (200_001,)
    n = z.size  # standard errors: mean 1/√n, variance √(2/n), fourth moment √(96/n)
    assert abs(z.mean()) < 5 / np.sqrt(n) and abs(z.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(np.mean(z**4) - 3) < 5 * np.sqrt(96 / n)


class Quadratic:
    """L(θ) = Σ_j k_j θ_j² / 2."""

    def __init__(self, k):
        self.k = np.asarray(k, dtype=float)

    def value_and_grad(self, theta, index=None):
        return 0.5 * float(self.k @ theta**2), self.k * theta


def test_langevin_samples_the_gibbs_distribution_of_a_quadratic():
    k, temperature, lr = np.array([0.5, 1.0, 2.0]), 0.7, 0.1
    trainer = Langevin(lr, temperature)
    state = trainer.init(np.zeros(3), seed=11)
    obj = Quadratic(k)
    run(trainer, state, obj, 2000)  # burn-in ≫ relaxation time 1/(η k_min) = 20 steps
    n_blocks, block = 100, 1000  # blocks ≫ τ_int(θ²) ≈ 1/(η k) ≤ 20 steps: block means independent
    sq = np.empty((n_blocks * block, 3))
    for t in range(sq.shape[0]):
        trainer.step(state, obj)
        sq[t] = state["params"] ** 2
    means = sq.reshape(n_blocks, block, 3).mean(axis=1)
    estimate, error = means.mean(axis=0), means.std(axis=0, ddof=1) / np.sqrt(n_blocks)

    def z(t):  # Euler–Maruyama's exact stationary variance T/(k(1 − ηk/2)) → Gibbs T/k as η → 0
        return (estimate - t / (k * (1 - lr * k / 2))) / error

    assert np.all(np.abs(z(temperature)) < 4.5), z(temperature)  # two-sided, 3 directions: false alarm < 1e-4
    assert np.all(np.abs(z(1.25 * temperature)) > 4.5)  # negative control: the wrong temperature is rejected
    assert np.all(error < 0.05 * estimate)  # and the error bars are tight enough for the control to mean something


def problem():
    gen = np.random.default_rng(5)
    x, y = gen.standard_normal((20, 3)), gen.standard_normal((20, 2))
    net = MLP((3, 6, 2), "tanh")
    return Objective(net, "mse", x, y, l2=1e-3), net.init(2)


def checkpoint_roundtrip(state):
    """The state written to and read back from an .npz file (what a study's checkpoint does)."""
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    buffer.seek(0)
    with np.load(buffer) as f:
        return {name: f[name].copy() for name in f.files}


@pytest.mark.parametrize("trainer", [GD(0.05), SGD(0.05, batch_size=6, momentum=0.9), Adam(0.01, batch_size=7),
                                     Langevin(0.01, temperature=0.05, batch_size=6), Langevin(0.01, 0.05)],
                         ids=["gd", "sgd", "adam", "sgld", "langevin"])
def test_resume_from_state_arrays_is_bit_identical(trainer):
    obj, theta = problem()
    whole = trainer.init(theta, seed=3, n_samples=20)
    losses_whole = run(trainer, whole, obj, 25)
    part = trainer.init(theta, seed=3, n_samples=20)
    losses_first = run(trainer, part, obj, 10)  # stops mid-epoch (20 samples, batches of 6 or 7)
    resumed = checkpoint_roundtrip(part)
    losses_rest = run(type(trainer)(**trainer.__dict__), resumed, obj, 15)
    assert np.array_equal(np.concatenate([losses_first, losses_rest]), losses_whole)
    assert resumed.keys() == whole.keys()
    for name in whole:
        assert np.array_equal(resumed[name], whole[name]), name
    assert int(resumed["step"]) == 25
    if "rng" in whole:  # negative control: another seed gives another trajectory
        other = trainer.init(theta, seed=4, n_samples=20)
        run(trainer, other, obj, 25)
        assert not np.array_equal(other["params"], whole["params"])


def test_minibatches_cover_each_epoch_once():
    obj, theta = problem()
    seen = []

    class Recording:
        def value_and_grad(self, params, index):
            seen.append(index.copy())
            return obj.value_and_grad(params, index)

    trainer = SGD(0.01, batch_size=5)
    state = trainer.init(theta, seed=0, n_samples=20)
    run(trainer, state, Recording(), 8)
    for epoch in (seen[:4], seen[4:]):
        assert sorted(np.concatenate(epoch)) == list(range(20))
    assert not np.array_equal(np.concatenate(seen[:4]), np.concatenate(seen[4:]))


def test_bad_settings_are_rejected():
    for make in (lambda: GD(0.0), lambda: SGD(0.1, 0), lambda: SGD(0.1, 4, momentum=1.0),
                 lambda: Adam(beta2=1.0), lambda: Langevin(0.1, -1.0), lambda: Adam(batch_size=2.5)):
        with pytest.raises(ParameterError):
            make()
    with pytest.raises(ParameterError):
        SGD(0.1, 30).init(np.zeros(3), seed=0, n_samples=20)
    with pytest.raises(ParameterError):
        Adam(batch_size=4).init(np.zeros(3))
