"""Information estimators on distributions with known mutual information: a binary symmetric channel (plug-in
MI), Gaussian channels (pairwise bounds against a Monte Carlo of the exact mixture information, KSG, Ross's
discrete–continuous estimator, Kozachenko–Leonenko entropy against closed forms), deterministic maps of distinct
inputs (I(X;T) = H(T)), the data-processing inequality under exact binning, per-sample gradient moments against
an explicit loop; each with a negative control. Tolerances: z = 4.5 standard errors (two-sided p < 1e-5)."""
import math

import numba
import numpy as np
import pytest
from scipy import integrate
from scipy.special import logsumexp

from statmech_nn.errors import ParameterError
from statmech_nn.information import (bin_indices, binned_mi, discrete_mi, entropy_bits, gradient_moments,
                                     kl_entropy, knn_mi, ksg_mi, mixed_mi, pairwise_mi)
from statmech_nn.information.pairwise import kernel_sums
from statmech_nn.nets import MLP, Objective

Z = 4.5
LN2 = math.log(2.0)


def h2(p):
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def bsc(n, p, seed):
    gen = np.random.default_rng(seed)
    x = gen.integers(0, 2, n)
    return x, x ^ (gen.random(n) < p)


def bsc_error(n, p):
    """Standard error of the plug-in MI: std of the information density i(x, y) = log2 p(y|x)/p(y) over √n."""
    values, probs = np.array([math.log2(2 * (1 - p)), math.log2(2 * p)]), np.array([1 - p, p])
    return math.sqrt(probs @ values**2 - (probs @ values) ** 2) / math.sqrt(n)


def agrees_with_bsc(estimate, n, p):
    bias = 1.0 / (2 * n * LN2)  # Miller: (K_xy − K_x − K_y + 1)/(2n ln 2) with 2×2 cells
    return abs(estimate - bias - (1 - h2(p))) < Z * bsc_error(n, p)


def test_plug_in_mi_of_a_binary_symmetric_channel():
    """I(X;Y) = 1 − h(p) within 4.5 s.e.; controls: a channel with p = 0.12, and a broken joint code (a + b, which
    merges (0,1) and (1,0)), both fail the same check."""
    n, p = 20000, 0.1
    x, y = bsc(n, p, 1)
    assert agrees_with_bsc(discrete_mi(x, y), n, p)
    assert not agrees_with_bsc(discrete_mi(*bsc(n, 0.12, 2)), n, p)
    broken = entropy_bits(x) + entropy_bits(y) - entropy_bits(x + y)
    assert not agrees_with_bsc(broken, n, p)


def mixture_information(centres, noise_var, samples, seed):
    """Monte Carlo of the exact I(X; T+Z) in bits for X uniform over ``centres`` (n, d): E[ln N(t; c_i) − ln p(t)]
    with t = c_i + z, and its standard error."""
    gen = np.random.default_rng(seed)
    n, d = centres.shape
    i = gen.integers(0, n, samples)
    t = centres[i] + math.sqrt(noise_var) * gen.standard_normal((samples, d))
    d2 = ((t[:, None, :] - centres[None, :, :]) ** 2).sum(-1) / (2 * noise_var)
    density = -d2[np.arange(samples), i] - (logsumexp(-d2, axis=1) - math.log(n))
    return density.mean() / LN2, density.std(ddof=1) / math.sqrt(samples) / LN2


def test_pairwise_bounds_bracket_the_gaussian_channel():
    """X uniform over n = 1500 points drawn from N(0, 1_2), noise σ² = 0.25: lower ≤ I(X; T+Z) ≤ upper, I from a
    Monte Carlo of the exact mixture; the mixture is close to the Gaussian channel's (d/2) log2(1 + s²/σ²) = 2.32
    bits, which the bounds bracket too (the KL bound is loose by up to d/2 nats when components overlap).
    Control: the bounds of σ²/4 (a wrong noise variance) miss."""
    gen = np.random.default_rng(3)
    centres = gen.standard_normal((1500, 2))
    y = (centres[:, 0] > 0).astype(np.int64)
    truth, err = mixture_information(centres, 0.25, 3000, 4)
    bounds = pairwise_mi(centres, y, 0.25)
    assert bounds["lower"][0] - Z * err < truth < bounds["upper"][0] + Z * err
    assert bounds["lower"][0] < math.log2(5.0) < bounds["upper"][0]
    wrong = pairwise_mi(centres, y, 0.0625)
    assert not wrong["lower"][0] - Z * err < truth < wrong["upper"][0] + Z * err
    for xt, ty in bounds.values():  # the stored ceilings hold before any clipping
        assert 0 <= xt <= math.log2(1500) and ty <= entropy_bits(y) + 1e-12


def test_pairwise_kernel_is_thread_count_independent():
    """Rows are independent, so 1 and 2 threads give bit-identical sums."""
    gen = np.random.default_rng(5)
    t, y = gen.standard_normal((300, 4)), gen.integers(0, 3, 300)
    numba.set_num_threads(1)
    one = kernel_sums(t, y, 2.0, 0.5)
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    two = kernel_sums(t, y, 2.0, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(one, two))


def blocks(estimator, make, n_blocks=16):
    """Mean and s.e.m. of ``estimator`` over independent blocks of data ``make(block)``."""
    values = np.array([estimator(*make(b)) for b in range(n_blocks)])
    return values.mean(), values.std(ddof=1) / math.sqrt(n_blocks)


def correlated(rho, n, seed):
    gen = np.random.default_rng(seed)
    x = gen.standard_normal(n)
    return x, rho * x + math.sqrt(1 - rho * rho) * gen.standard_normal(n)


def test_ksg_on_correlated_gaussians():
    """KSG of (X, ρX + √(1−ρ²) ξ) equals −½ ln(1 − ρ²) (nats) within 4.5 s.e.m. over 16 blocks of 1000;
    control: data with ρ = 0.5 miss the value of ρ = 0.6."""
    exact = -0.5 * math.log(1 - 0.36)
    mean, sem = blocks(ksg_mi, lambda b: correlated(0.6, 1000, b))
    assert abs(mean - exact) < Z * sem
    mean, sem = blocks(ksg_mi, lambda b: correlated(0.5, 1000, 100 + b))
    assert abs(mean - exact) > Z * sem


def test_kozachenko_leonenko_entropy_of_a_gaussian():
    """Ĥ of N(0, diag(1, 4)) = ½ ln((2πe)² · 4) within 4.5 s.e.m.; control: N(0, diag(1, 3)) misses."""
    exact = 0.5 * math.log((2 * math.pi * math.e) ** 2 * 4.0)
    scale = np.array([1.0, 2.0])
    mean, sem = blocks(kl_entropy, lambda b: (np.random.default_rng(b).standard_normal((1000, 2)) * scale,))
    assert abs(mean - exact) < Z * sem
    scale = np.array([1.0, math.sqrt(3.0)])
    mean, sem = blocks(kl_entropy, lambda b: (np.random.default_rng(50 + b).standard_normal((1000, 2)) * scale,))
    assert abs(mean - exact) > Z * sem


def binary_gaussian_information(mu):
    """I(T;Y) in nats for Y = ±1 equally likely and T | Y ~ N(Y μ, 1): H(T) − ½ ln(2πe), H(T) by quadrature."""
    def p(t):
        return 0.5 * (math.exp(-(t - mu) ** 2 / 2) + math.exp(-(t + mu) ** 2 / 2)) / math.sqrt(2 * math.pi)
    h = integrate.quad(lambda t: -p(t) * math.log(p(t)), -mu - 12, mu + 12, epsabs=1e-12)[0]
    return h - 0.5 * math.log(2 * math.pi * math.e)


def labelled(mu, n, seed):
    gen = np.random.default_rng(seed)
    y = gen.integers(0, 2, n)
    return (2 * y - 1) * mu + gen.standard_normal(n), y


def test_ross_estimator_on_a_binary_gaussian_channel():
    """Ross's estimator of I(T;Y) for T | Y ~ N(±1, 1) equals the quadrature value within 4.5 s.e.m.;
    control: μ = 0.8 data miss the μ = 1 value."""
    exact = binary_gaussian_information(1.0)
    mean, sem = blocks(mixed_mi, lambda b: labelled(1.0, 1000, b))
    assert abs(mean - exact) < Z * sem
    mean, sem = blocks(mixed_mi, lambda b: labelled(0.8, 1000, 200 + b))
    assert abs(mean - exact) > Z * sem


def test_knn_information_of_a_gaussian_channel():
    """knn_mi of n distinct inputs x ~ N(0, 1) through T = x + Z, σ² = 1/3: I(X;T) → ½ log2(1 + 3) = 1 bit
    (n = 1000 inputs ≫ 2^I) within 4.5 s.e.m. over 16 independent sets; control: σ² = 1/2 misses."""
    def make(b, var):
        x = np.random.default_rng(300 + b).standard_normal((1000, 1))
        return x, (x[:, 0] > 0).astype(np.int64), var, 3, b
    mean, sem = blocks(lambda *a: knn_mi(*a)[0], lambda b: make(b, 1 / 3))
    assert abs(mean - 1.0) < Z * sem
    mean, sem = blocks(lambda *a: knn_mi(*a)[0], lambda b: make(b, 1 / 2))
    assert abs(mean - 1.0) > Z * sem


def test_deterministic_map_of_distinct_inputs():
    """T = x mod 7 of 4096 distinct inputs, drawn at the integers: I(X;T) = H(T) exactly for bins that separate
    the values, and for the pairwise bounds as σ² → 0 (to 1e-9); I(T;Y) = H(Y) for labels that are a function of
    T. Control: 3 bins merge values and give less than H(T)."""
    x = np.arange(4096)
    t = (x % 7).astype(np.float64)[:, None]
    y = (x % 7 < 3).astype(np.int64)
    exact = entropy_bits(x % 7)
    assert binned_mi(t, y, 7, "fixed", -0.5, 6.5) == pytest.approx((exact, entropy_bits(y)), abs=1e-12)
    assert binned_mi(t, y, 7, "adaptive")[0] == pytest.approx(exact, abs=1e-12)
    for xt, ty in pairwise_mi(t, y, 1e-3).values():
        assert xt == pytest.approx(exact, abs=1e-9) and ty == pytest.approx(entropy_bits(y), abs=1e-9)
    assert binned_mi(t, y, 3, "fixed", -0.5, 6.5)[0] < exact - 0.3
    assert binned_mi(np.random.default_rng(0).standard_normal((4096, 3)), y, 1000, "adaptive")[0] == 12.0


def test_equal_mass_bins_hold_equal_counts():
    """Equal-mass bins of 4096 distinct values into 16 bins: 256 per bin, H = 4 bits exactly; a saturated unit
    (all values equal) has one bin."""
    gen = np.random.default_rng(6)
    t = np.column_stack([gen.exponential(size=4096), np.ones(4096)])
    idx = bin_indices(t, 16, "equal-mass")
    assert np.array_equal(np.bincount(idx[:, 0]), np.full(16, 256)) and np.all(idx[:, 1] == idx[0, 1])
    assert entropy_bits(idx[:, 0]) == pytest.approx(4.0, abs=1e-12)


def patterns():
    return ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(np.float64)


def quantised_network(seed):
    """Representations of a tanh network on all 4096 patterns of 12 bits in which every layer's output is snapped
    to the centres of 12 fixed bins on [−1, 1] before the next layer, so each binned layer is a function of the one
    before."""
    gen = np.random.default_rng(seed)
    edges = np.linspace(-1, 1, 13)
    centres = 0.5 * (edges[1:] + edges[:-1])
    h, out = patterns(), []
    for width in (10, 8, 6, 4):
        h = np.tanh(h @ gen.standard_normal((h.shape[1], width)) / math.sqrt(h.shape[1]))
        h = centres[bin_indices(h, 12, "fixed")]
        out.append(h)
    return out


def non_increasing(values):
    return all(b <= a + 1e-12 for a, b in zip(values, values[1:]))


def test_data_processing_under_exact_binning():
    """I(X; T_l) from the same 12 fixed bins never increases with l when every binned layer is a function of the
    binned layer before; so does I(T_l; Y). Control: the check fails for an unquantised network whose first layer
    squeezes its values into a few bins and whose second stretches them apart again (tanh(30 h))."""
    y = (np.arange(4096) % 3 == 0).astype(np.int64)
    for seed in range(3):
        layers = quantised_network(seed)
        mi = np.array([binned_mi(t, y, 12) for t in layers])
        assert non_increasing(list(mi[:, 0])) and non_increasing(list(mi[:, 1]))
    squeezed = np.tanh(0.05 * patterns() @ np.random.default_rng(0).standard_normal((12, 6)))
    assert not non_increasing([binned_mi(t, y, 12)[0] for t in (squeezed, np.tanh(30 * squeezed))])


def test_gradient_moments_against_per_sample_loop():
    """Mean and spread of per-sample gradients per layer equal an explicit loop of one-sample gradients (1e-10);
    control: the spread differs from that of minibatch-of-two gradients."""
    net = MLP((5, 4, 3, 2), "tanh")
    gen = np.random.default_rng(7)
    x, y = gen.standard_normal((40, 5)), gen.integers(0, 2, 40)
    obj = Objective(net, "cross_entropy", x, y)
    theta = net.init(1, 1.0, 0.1)
    mean, std = gradient_moments(obj, theta)
    per_sample = np.array([obj.grad(theta, np.array([i])) for i in range(40)])
    bounds = net.offsets
    for l in range(net.depth):
        g = per_sample[:, bounds[l]:bounds[l + 1]]
        assert mean[l] == pytest.approx(np.linalg.norm(g.mean(0)), rel=1e-10)
        assert std[l] == pytest.approx(math.sqrt(g.var(0).sum()), rel=1e-10)
        pairs = np.array([obj.grad(theta, np.array([i, i + 1]))[bounds[l]:bounds[l + 1]] for i in range(0, 40, 2)])
        assert std[l] != pytest.approx(math.sqrt(pairs.var(0).sum()), rel=0.05)


@pytest.mark.parametrize("call", [lambda: binned_mi(np.zeros((4, 2)), np.zeros(4, int), bins=1),
                                  lambda: binned_mi(np.zeros((4, 2)), np.zeros(4, int), binning="log"),
                                  lambda: pairwise_mi(np.zeros((4, 2)), np.zeros(4, int), -0.1),
                                  lambda: knn_mi(np.zeros((4, 2)), np.zeros(4, int), 0.0),
                                  lambda: kl_entropy(np.zeros((10, 1)))])
def test_bad_input(call):
    with pytest.raises(ParameterError):
        call()
