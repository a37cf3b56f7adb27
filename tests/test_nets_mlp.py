"""The network's derivatives against finite differences, and the exact curvature matrices against each other."""
import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.meanfield.activations import ACTIVATIONS as MEANFIELD_ACTIVATIONS
from statmech_nn.nets import ACTIVATIONS, LOSSES, MLP, Objective

H = 1e-5  # central differences: truncation ~ H² |f'''|, rounding ~ 1e-16 |f| / H, both ≲ 1e-9 here


def problem(activation, loss, l2=0.01, seed=3):
    net = MLP((3, 5, 4, 3), activation)
    gen = np.random.default_rng(seed)
    x = gen.standard_normal((9, 3))
    y = gen.integers(0, 3, 9) if loss == "cross_entropy" else gen.standard_normal((9, 3))
    return Objective(net, loss, x, y, l2), net.init(seed, sigma_w2=1.5, sigma_b2=0.1)


def central_difference(f, theta, direction):
    return (f(theta + H * direction) - f(theta - H * direction)) / (2 * H)


def test_activation_names_follow_meanfield():
    assert set(ACTIVATIONS) <= set(MEANFIELD_ACTIVATIONS)
    u = np.linspace(-2.3, 2.1, 7)
    for name, act in ACTIVATIONS.items():
        np.testing.assert_allclose(act.phi(u), MEANFIELD_ACTIVATIONS[name](u), rtol=1e-14, atol=1e-15)
        for f, df in ((act.phi, act.dphi), (act.dphi, act.d2phi)):
            np.testing.assert_allclose((f(u + H) - f(u - H)) / (2 * H), df(u), atol=1e-8)


def test_layout_is_views_of_one_flat_vector():
    net = MLP((4, 3, 2))
    theta = np.zeros(net.n_params)
    assert net.n_params == (4 + 1) * 3 + (3 + 1) * 2
    (w1, b1), (w2, b2) = net.layers(theta)
    assert w1.shape == (4, 3) and b1.shape == (3,) and w2.shape == (3, 2) and b2.shape == (2,)
    w2[1, 0] = 7.0
    assert theta[15 + 1 * 2 + 0] == 7.0 and np.shares_memory(b1, theta)
    th = net.init(5, sigma_w2=2.0, sigma_b2=0.5)
    assert np.array_equal(th, net.init(5, sigma_w2=2.0, sigma_b2=0.5)) and not np.array_equal(th, net.init(6))
    with pytest.raises(ParameterError):
        MLP((4,))
    with pytest.raises(ParameterError):
        MLP((4, 2), "softsign")


def test_forward_and_representations_follow_the_layer_equations():
    net = MLP((4, 3, 2), "sigmoid")
    theta = net.init(1, sigma_b2=0.5)
    (w1, b1), (w2, b2) = net.layers(theta)
    x = np.random.default_rng(0).standard_normal((6, 4))
    h1 = 1.0 / (1.0 + np.exp(-(x @ w1 + b1)))
    reps = net.representations(theta, x)
    np.testing.assert_allclose(reps[0], h1, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(reps[1], h1 @ w2 + b2, rtol=1e-13, atol=1e-14)
    assert np.array_equal(reps[1], net.forward(theta, x))


def test_fan_in_initialisation_variance():
    net = MLP((400, 300, 1))
    w = net.layers(net.init(0, sigma_w2=2.0, sigma_b2=0.3))[0]
    # 120000 draws: the sample variance has relative standard error √(2/120000) ≈ 0.004
    assert abs(w[0].var() * 400 / 2.0 - 1.0) < 0.02 and abs(w[1].var() / 0.3 - 1.0) < 0.3


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradient_matches_finite_differences(activation, loss):
    obj, theta = problem(activation, loss)
    value, grad = obj.value_and_grad(theta)
    assert value == obj.value(theta)
    fd = np.array([central_difference(obj.value, theta, e) for e in np.eye(theta.size)])
    np.testing.assert_allclose(grad, fd, atol=1e-8 * max(1.0, np.abs(grad).max()))


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_hvp_matches_finite_differences_of_the_gradient(activation, loss):
    obj, theta = problem(activation, loss)
    v = np.random.default_rng(1).standard_normal(theta.size)
    hv = obj.hvp(theta, v)
    fd = central_difference(obj.grad, theta, v)
    tol = 1e-7 * max(1.0, np.abs(hv).max())
    np.testing.assert_allclose(hv, fd, atol=tol)
    if activation not in ("linear", "relu"):
        # negative control: dropping the second-order terms (the Gauss–Newton product) is caught at this tolerance
        assert np.abs(obj.gauss_newton_product(theta, v) - fd).max() > 100 * tol


@pytest.mark.parametrize("activation", ["tanh", "relu", "erf"])
def test_exact_hessian_symmetric_and_equal_to_hvps(activation):
    obj, theta = problem(activation, "cross_entropy")
    hess = obj.hessian(theta, block=16)
    assert hess.shape == (theta.size, theta.size)
    scale = np.abs(hess).max()
    assert np.abs(hess - hess.T).max() < 1e-13 * scale
    vs = np.random.default_rng(2).standard_normal((5, theta.size))
    np.testing.assert_allclose(obj.hvp(theta, vs), vs @ hess.T, atol=1e-13 * scale * theta.size)
    for v in vs[:2]:  # batched and single directions agree
        np.testing.assert_allclose(obj.hvp(theta, v), hess @ v, atol=1e-13 * scale * theta.size)
    np.testing.assert_allclose(obj.hessian(theta, block=theta.size), hess, rtol=0, atol=1e-14 * scale)


def test_gauss_newton_equals_hessian_at_zero_residuals():
    obj, theta = problem("tanh", "mse")
    exact = Objective(obj.model, "mse", obj.x, obj.model.forward(theta, obj.x), l2=0.01)  # y = f(θ): r = 0
    hess, gn = exact.hessian(theta), exact.gauss_newton(theta)
    np.testing.assert_allclose(gn, hess, atol=1e-13 * np.abs(hess).max())
    assert np.linalg.eigvalsh(gn).min() > 0.01 - 1e-12  # G + λ1 is positive definite
    # negative control: with residuals, H − G = Σ_i r_i ∇²f_i is far from zero
    assert np.abs(obj.hessian(theta) - obj.gauss_newton(theta)).max() > 1e-2
    # Jᵀ J v from the forward and backward passes matches the Gauss–Newton product (MSE: ∂²L/∂f² = 1/n)
    v = np.random.default_rng(4).standard_normal(theta.size)
    jv = obj.model.jvp(theta, obj.x, v)
    np.testing.assert_allclose(obj.model.vjp(theta, obj.x, jv) / len(obj.x) + 0.01 * v, gn @ v, atol=1e-12)


def test_objective_validates_and_minibatch_index():
    obj, theta = problem("tanh", "mse", l2=0.0)
    idx = np.array([0, 4, 7])
    sub = Objective(obj.model, "mse", obj.x[idx], obj.y[idx])
    assert obj.value(theta, idx) == sub.value(theta)
    np.testing.assert_array_equal(obj.hvp(theta, theta, idx), sub.hvp(theta, theta))
    assert not np.any(obj.hvp(theta, np.zeros((2, theta.size))))  # a direction that moves no layer
    with pytest.raises(ParameterError):
        Objective(obj.model, "hinge", obj.x, obj.y)
    with pytest.raises(ParameterError):
        Objective(obj.model, "mse", obj.x, obj.y[:3])
    with pytest.raises(ParameterError):
        Objective(obj.model, "mse", obj.x, obj.y[:, :2])
    for labels in (np.zeros(9), np.full(9, 3)):  # float labels; a label beyond the 3 outputs
        with pytest.raises(ParameterError):
            Objective(obj.model, "cross_entropy", obj.x, labels)
