"""Residual-network mean field (Yang & Schoenholz 2017) against sampled residual networks; the polynomial
approach of c^l for sign-like activations; phase-diagram data; errors."""
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.meanfield.residual import relu_correlation_rate, residual_curves, residual_phase_data, sign_limit
from statmech_nn.models.resnet import sampled_curves
from tests.test_nngp import z_limit

WIDTH, NETS, DEPTH = 300, 30, 12
CASES = [("tanh", "reduced", 0.5, 0.1, {}), ("relu", "reduced", 0.4, 0.05, {}),
         ("tanh", "full", 0.8, 0.1, {"sigma_v2": 1.5, "sigma_a2": 0.05}),
         ("erf-plain", "full", 2.0, 0.0, {"sigma_v2": 0.5, "sigma_a2": 0.1})]


def max_z(phi, arch, sw2, sb2, extra, curves=None):
    s = sampled_curves(phi, arch, sw2, sb2, 1.0, 0.6, DEPTH, WIDTH, NETS, 3, **extra)
    curves = curves or residual_curves(phi, sw2, sb2, 1.0, 0.6, DEPTH, arch, **extra)
    z = [np.abs(s[k][:, 1:].mean(0) - th[1:]) / (s[k][:, 1:].std(0, ddof=1) / math.sqrt(NETS))
         for k, th in (("q", curves.p), ("c", curves.c))]
    return np.concatenate(z)


@pytest.mark.parametrize("phi,arch,sw2,sb2,extra", CASES)
def test_sampled_residual_networks_match_recursion(phi, arch, sw2, sb2, extra):
    """p^l and c^l of 30 networks of width 300 within the Bonferroni t bound at every layer (the O(1/N) bias is
    ≲ 0.1 standard errors at this width)."""
    z = max_z(phi, arch, sw2, sb2, extra)
    assert z.max() < z_limit(z.size, NETS)


def test_negative_control_full_recursion_with_wrong_sigma_v2():
    curves = residual_curves("tanh", 0.8, 0.1, 1.0, 0.6, DEPTH, "full", sigma_v2=1.5 * 1.1, sigma_a2=0.05)
    z = max_z("tanh", "full", 0.8, 0.1, {"sigma_v2": 1.5, "sigma_a2": 0.05}, curves)
    assert z.max() > z_limit(z.size, NETS)


@pytest.mark.parametrize("sw2", [1.0, 3.0])
def test_sign_like_activation_power_law(sw2):
    """Reduced erf network at σ_b² = 0: p^l/l → σ_w² and c^l ∝ l^{−κ}, κ = 1 − 2/π for every σ_w² (module
    docstring); the local slope d ln c/d ln l over l ∈ [5·10⁴, 10⁵] is within 0.002 of −κ (corrections O(l^{−1/2}))
    and clearly away from the other natural guesses (1/2, 2/π)."""
    depth = 100_000
    curves = residual_curves("erf", sw2, 0.0, 1.0, 0.6, depth)
    c_inf, kappa = sign_limit(sw2, 0.0)
    assert c_inf == 0.0 and kappa == pytest.approx(1 - 2 / math.pi, rel=1e-14)
    slope = math.log(curves.c[depth] / curves.c[depth // 2]) / math.log(2.0)
    assert abs(slope + kappa) < 0.002 and abs(slope + 0.5) > 0.1 and abs(slope + 2 / math.pi) > 0.1
    assert curves.p[depth] / depth == pytest.approx(sw2, rel=0.01)


@pytest.mark.parametrize("sw2,depth", [(0.02, 20_000), (0.2, 2_500)])
def test_relu_correlation_approaches_one_as_inverse_square(sw2, depth):
    """Reduced ReLU network at σ_b² = 0: (1 − c^l)^{−1/2} grows linearly with slope a/2 (module docstring) — the
    finite-difference slope over [depth/2, depth] within 0.3 % of it (O(log l / l) corrections), so
    1 − c^l ∝ l^{−2}. At σ_w² = 0.2 the tolerance rejects the rate without the 1/(1 + σ_w²/2) of the growing
    length (10 % off)."""
    c = residual_curves("relu", sw2, 0.0, 1.0, 0.3, depth).c
    s = (1 - c) ** -0.5
    slope = (s[depth] - s[depth // 2]) / (depth / 2)
    rate = relu_correlation_rate(sw2)
    assert slope == pytest.approx(rate, rel=3e-3)
    if sw2 >= 0.2:
        assert slope != pytest.approx(rate * (1 + sw2 / 2), rel=3e-3)


def test_sign_limit_with_bias_is_root_and_stable():
    """c_∞ solves σ_w²((2/π) arcsin c − c) + σ_b²(1 − c) = 0 and the deep recursion moves towards it."""
    c_inf, kappa = sign_limit(1.0, 0.3)
    assert 2 / math.pi * math.asin(c_inf) - c_inf + 0.3 * (1 - c_inf) == pytest.approx(0.0, abs=1e-13)
    assert 0 < kappa < 1
    c = residual_curves("erf", 1.0, 0.3, 1.0, 0.99, 20_000).c
    assert abs(c[-1] - c_inf) < abs(c[2000] - c_inf) < abs(c[200] - c_inf)


def test_phase_data_and_gradients_grow():
    data = residual_phase_data("tanh", [0.5, 2.0], [0.0, 0.1], 20)
    assert data["p"].shape == (2, 2) and np.all(data["grad_ratio"] > 1)
    assert data["p"][1, 1] > data["p"][0, 1] and np.all(np.abs(data["c"]) <= 1)


@pytest.mark.parametrize("kwargs,name", [({"architecture": "plain"}, "architecture"), ({"sigma_v2": 0.0}, "sigma_v2"),
                                         ({"sigma_a2": -1.0}, "sigma_a2"), ({"p0": 0.0}, "q0"), ({"c0": 1.5}, "c0"),
                                         ({"sigma_w2": math.inf}, "sigma_w2"), ({"depth": 2.5}, "depth")])
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"phi": "tanh", "sigma_w2": 1.0, "sigma_b2": 0.1, "p0": 1.0, "c0": 0.5, "depth": 3, **kwargs}
    with pytest.raises(ParameterError, match=f"'{name}'"):
        residual_curves(**args)
