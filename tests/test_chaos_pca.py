"""The chaos study's principal components of the propagated circle against the Fourier spectrum of the iterated
c-map (Poole et al. 2016, Fig. 3), and hard-tanh trajectory-length growth against √χ_1 and its width dependence
(Raghu et al. 2017)."""
import math

import numpy as np
import pytest
from scipy.stats import t as student_t

from statmech_nn.meanfield import fixed_point, q_map
from statmech_nn.meanfield.curvature import HARD_TANH_BOUND_CONSTANT, circle_spectrum, raghu_hard_tanh_bound
from statmech_nn.models import manifold
from tests.test_chaos import simulate, t_statistic  # every call here sets all of test_chaos's SMALL keys

Z_MAX = 4.5  # |t| with ≥ 48 independent samples exceeds 4.5 with probability < 1e-4


def test_principal_components_of_an_ellipse_and_the_input_circle():
    """An ellipse (semi-axes 3, 1) about an offset centre in a random plane of R^N: covariance eigenvalues per unit
    A²/(2N), B²/(2N), the rest 0, trace (A² + B²)/(2N); the coordinates on the two axes are the ellipse itself (up to
    sign), the third axis 0. Both the Gram (P ≤ N) and the covariance (P > N) routes. The input circle's mean-field
    spectrum is q0/2 twice, total q0, and the layer-0 measurement equals it."""
    a, b = 3.0, 1.0
    for points, n in ((64, 200), (400, 50)):
        basis = np.linalg.qr(np.random.default_rng(1).standard_normal((n, 2)))[0]
        theta = 2 * np.pi * np.arange(points) / points
        h = np.outer(a * np.cos(theta), basis[:, 0]) + np.outer(b * np.sin(theta), basis[:, 1]) + 0.7
        variances, total, coords = manifold.principal_components(h, 4, 3)
        assert np.allclose(variances * n, [a * a / 2, b * b / 2, 0, 0], atol=1e-12)
        assert total * n == pytest.approx((a * a + b * b) / 2, rel=1e-12)
        assert np.allclose(np.abs(coords[:, 0]) * math.sqrt(n), np.abs(a * np.cos(theta)), atol=1e-10)
        assert np.allclose(np.abs(coords[:, 1]) * math.sqrt(n), np.abs(b * np.sin(theta)), atol=1e-10)
        assert np.allclose(coords[:, 2], 0, atol=1e-7)  # √(P λ_3) u_3 with λ_3 at rounding level
    q_star = fixed_point("tanh", 4.0, 0.1).q_star
    spectrum, total = circle_spectrum("tanh", 4.0, 0.1, q_star, 0, 4, 64)
    assert np.allclose(spectrum[0], [q_star / 2, q_star / 2, 0, 0], atol=1e-14) and total[0] == pytest.approx(q_star)
    sim, rows = simulate(width=60, points=64, networks=2, depth=1, seed=3)
    assert np.allclose(rows["pca_variance"][0], sim.theory["pca_variance_theory"][0], atol=1e-12)
    assert np.allclose(rows["total_variance"][0], q_star, rtol=1e-12)


def test_linear_network_keeps_the_circle_planar():
    """φ = u: the c-map is affine in c, so c^l(θ) = α_l cos θ + β_l: only the first harmonic, the whole variance on
    two components at every depth, each q^l α_l / 2 with α_l = Π σ_w² q^{m−1}/q^m (closed form)."""
    sw2, sb2, q0, depth = 1.3, 0.2, 0.8, 5
    spectrum, total = circle_spectrum("linear", sw2, sb2, q0, depth, 4, 32)
    q = [q0]
    for _ in range(depth):
        q.append(q_map("linear", sw2, sb2, q[-1]))
    alpha = np.cumprod([1.0] + [sw2 * q[m - 1] / q[m] for m in range(1, depth + 1)])
    assert np.allclose(spectrum[:, :2], (np.array(q) * alpha / 2)[:, None], rtol=1e-12)
    assert np.allclose(spectrum[:, 2:], 0, atol=1e-12) and np.allclose(total, q * alpha, rtol=1e-12)


@pytest.mark.parametrize("sigma_w2", [1.5, 4.0])  # ordered (the shape freezes) and chaotic (the share falls)
def test_pca_spectrum_is_the_fourier_spectrum_of_the_c_map(sigma_w2):
    """At the last layer of 16 networks (N = 500, P = 256, depth 6) the share of the variance on the top two and on
    the next two principal axes agrees with the mean-field circulant spectrum (Fourier coefficients of the iterated
    c-map): |t| below Student's 1e-4 quantile for 15 degrees of freedom. Negative control: the spectrum of σ_w² 10 %
    larger is rejected. In chaos the top-2 share falls with depth well below its ordered value."""
    networks = 16
    sim, rows = simulate(phi="tanh", sigma_w2=sigma_w2, sigma_b2=0.1, width=500, points=256, networks=networks,
                         depth=6, seed=21)
    limit = student_t.isf(0.5e-4, networks - 1)
    shares = rows["pca_variance"][-1] / rows["total_variance"][-1][:, None]  # (networks, components)

    def predicted(sw2):
        spectrum, total = circle_spectrum("tanh", sw2, 0.1, fixed_point("tanh", sigma_w2, 0.1).q_star, 6, 4, 256)
        return spectrum[-1] / total[-1]

    right, wrong = predicted(sigma_w2), predicted(1.1 * sigma_w2)
    for pair in (slice(0, 2), slice(2, 4)):
        measured = shares[:, pair].sum(axis=1)
        assert t_statistic(measured, right[pair].sum()) < limit
    assert max(t_statistic(shares[:, p].sum(axis=1), wrong[p].sum()) for p in (slice(0, 2), slice(2, 4))) > limit
    top2 = rows["pca_variance"][:, :, :2].sum(axis=2) / rows["total_variance"]
    if sigma_w2 > 2:
        assert np.all(np.diff(top2.mean(axis=1)) < 0) and top2[-1].mean() < 0.75
    else:
        assert top2[-1].mean() > 0.85


def hard_tanh(width, points, networks, seed):
    """Hard-tanh circles (σ_w² = 4, σ_b² = 0.1, at q*, depth 7): the simulation, its rows, and ln(L_l/L_{l−1}) per
    (layer, network) with the chord length Richardson-extrapolated in P: a kinked curve's chord length converges as
    O(1/P), and a run with P/2 points measures every other point of the same networks (same streams), so
    2 L_P − L_{P/2} removes that term."""
    common = {"phi": "hard-tanh", "sigma_w2": 4.0, "sigma_b2": 0.1, "width": width, "networks": networks, "depth": 7,
              "seed": seed}
    sim, fine = simulate(**common, points=points)
    _, coarse = simulate(**common, points=points // 2)
    return sim, fine, np.diff(np.log(2 * fine["length"] - coarse["length"]), axis=0)


def test_hard_tanh_length_ratio_is_sqrt_chi1_and_rises_with_width():
    """Hard-tanh (Raghu et al.'s activation), 7 layers × 8 networks at N = 400: the mean of ln(L_l/L_{l−1}) lies
    within Z_MAX s.e.m. of ½ ln χ_1, allowing the O(1/N) deficit of a single point's log growth for Gaussian W,
    1/(2N) + (3/(4N)) (E[φ'⁴]/E[φ'²]² − 1) with E[φ'⁴]/E[φ'²]² = 1/p, p = χ_1/σ_w² the linear fraction
    (|v'|² = σ_w² |φ' ⊙ v|² χ²_N/N; Var ln Σφ'²v²/Σv² = 3(κ − 1)/N); √χ_1 of σ_w² 10 % larger is rejected. At k = 16
    (48 networks) the growth is below √χ_1 by more than Z_MAX s.e.m. — the width dependence Theorem 1's bound
    carries in √(k/(k + √(σ_w² + σ_b²))) — and still above (2/π)^{1/4} × the bound's expression. Saturation
    changes (crossings of h = ±1) follow Rice's count for the measured length, 2 √N L e^{−1/(2q)}/(π √q): the ratio
    over layers 1..7 × networks has mean 1 within Z_MAX s.e.m.; 5 % off is rejected."""
    width = 400
    sim, rows, ratios = hard_tanh(width, 1024, 8, 17)
    chi1 = float(sim.theory["chi1"])
    p = chi1 / 4.0
    deficit = 1 / (2 * width) + 3 / (4 * width) * (1 / p - 1)
    sem = ratios.std(ddof=1) / math.sqrt(ratios.size)
    assert abs(ratios.mean() - 0.5 * math.log(chi1)) < deficit + Z_MAX * sem
    wrong = 0.5 * math.log(fixed_point("hard-tanh", 4.4, 0.1).chi1)
    assert abs(ratios.mean() - wrong) > deficit + Z_MAX * sem
    q = sim.theory["q_theory"][1:, None]
    rice = 2 * math.sqrt(width) * rows["length"][1:] * np.exp(-0.5 / q) / (math.pi * np.sqrt(q))
    saturation = rows["saturation_transitions"][1:] / rice
    assert t_statistic(saturation, 1.0) < Z_MAX
    assert t_statistic(saturation, 1.05) > Z_MAX and t_statistic(saturation, 0.95) > Z_MAX
    _, _, narrow = hard_tanh(16, 1024, 48, 17)
    assert 0.5 * math.log(chi1) - narrow.mean() > Z_MAX * narrow.std(ddof=1) / math.sqrt(narrow.size)
    assert math.exp(narrow.mean()) > HARD_TANH_BOUND_CONSTANT * raghu_hard_tanh_bound(4.0, 0.1, 16)
