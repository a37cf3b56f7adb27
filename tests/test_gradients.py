"""Backward mean-field recursion for |δ^l|² against backpropagation through sampled plain and residual networks,
on both sides of the order-to-chaos line."""
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.meanfield import fixed_point, sigma_w2_critical
from statmech_nn.meanfield.gradients import gradient_ratio
from statmech_nn.models import deepnet
from statmech_nn.models.resnet import SampledNetwork, sampled_curves
from tests.test_nngp import z_limit

WIDTH, NETS, DEPTH = 300, 30, 10
CASES = [("tanh", "plain", 1.2, 0.05, {}), ("tanh", "plain", 3.0, 0.05, {}), ("relu", "plain", 1.6, 0.1, {}),
         ("tanh", "reduced", 0.5, 0.1, {}), ("tanh", "full", 0.8, 0.1, {"sigma_v2": 1.5, "sigma_a2": 0.05}),
         ("relu", "full", 0.6, 0.1, {"sigma_v2": 0.7, "sigma_a2": 0.0})]


def ratio_z(phi, arch, sw2, sb2, extra, theory=None):
    s = sampled_curves(phi, arch, sw2, sb2, 1.0, 0.6, DEPTH, WIDTH, NETS, 5, gradients=True, **extra)
    ratio = s["grad"][:, :-1] / s["grad"][:, -1:]
    if theory is None:
        theory = gradient_ratio(phi, sw2, sb2, 1.0, DEPTH, arch, **extra)
    return np.abs(ratio.mean(0) - theory[:-1]) / (ratio.std(0, ddof=1) / math.sqrt(NETS)), theory


@pytest.mark.parametrize("phi,arch,sw2,sb2,extra", CASES)
def test_backprop_matches_recursion(phi, arch, sw2, sb2, extra):
    """Mean over 30 networks of |δ^l|²/|δ^L|² within the Bonferroni t bound of the recursion at every layer."""
    z, theory = ratio_z(phi, arch, sw2, sb2, extra)
    assert z.max() < z_limit(z.size, NETS)


def test_both_sides_of_criticality():
    """Plain tanh: gradients vanish (χ_1 < 1) below σ_w²,c and explode above it; at the fixed point each layer
    multiplies |δ|² by χ_1, i.e. the ratio over L layers is exp(−L/ξ_∇). Residual networks only amplify."""
    crit = sigma_w2_critical("tanh", 0.05)
    for sw2, grows in ((0.8 * crit, False), (1.5 * crit, True)):
        fp = fixed_point("tanh", sw2, 0.05)
        r = gradient_ratio("tanh", sw2, 0.05, fp.q_star, 20)
        assert r[0] == pytest.approx(math.exp(-20 / fp.xi_grad), rel=1e-9) and (r[0] > 1) == grows
    assert np.all(np.diff(gradient_ratio("tanh", 0.5, 0.1, 1.0, 10, "reduced")) < 0)


def test_negative_control_wrong_chi_fails():
    """The same criterion rejects the plain recursion used for the reduced residual network (no +1)."""
    plain = gradient_ratio("tanh", 0.5, 0.1, 1.0, DEPTH, "plain")
    z, _ = ratio_z("tanh", "reduced", 0.5, 0.1, {}, theory=plain)
    assert z.max() > z_limit(z.size, NETS)


def test_plain_network_is_deepnet():
    """The plain SampledNetwork is deepnet's gaussian network with the same seed, bit for bit."""
    net = SampledNetwork(9, 2, "tanh", "plain", 1.5, 0.1)
    h = deepnet.input_pair(deepnet.stream(9, 2, 0), 20, 1.0, 0.3)
    states = net.forward(h, 3)
    from statmech_nn.meanfield import activation
    for layer in range(1, 4):
        h = deepnet.layer(deepnet.stream(9, 2, layer), h, activation("tanh"), 1.5, 0.1)
        assert np.array_equal(states[layer], h)


def test_bad_input_names_the_parameter():
    with pytest.raises(ParameterError, match="'architecture'"):
        gradient_ratio("tanh", 1.0, 0.1, 1.0, 5, "dense")
    with pytest.raises(ParameterError, match="'q0'"):
        gradient_ratio("tanh", 1.0, 0.1, -1.0, 5)
    with pytest.raises(ParameterError, match="'architecture'"):
        SampledNetwork(1, 0, "tanh", "dense", 1.0, 0.1)
