"""Mean-field theory: quadrature against scipy references, closed forms, fixed points at and away from criticality,
the critical line, depth scales against iterated maps, ReLU structure, the phase-diagram grid."""
import math
import warnings

import numba
import numpy as np
import pytest
from scipy import integrate
from scipy.special import ndtr

from statmech_nn.meanfield import (Activation, activation, c_map, depth_scale, expect, expect2, fixed_point,
                                   phase_diagram, q_map, sigma_w2_critical, theory_curves)
from statmech_nn.meanfield.activations import QUADRATURE, moments1, moments2

PDF = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731


def quad(f, breaks, lo=-12.0, hi=12.0):
    """∫ f over [lo, hi] split at ``breaks``, with tolerances near double precision."""
    edges = sorted({lo, hi, *(b for b in breaks if lo < b < hi)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return sum(integrate.quad(f, a, b, epsabs=1e-17, epsrel=1e-14, limit=400)[0] for a, b in zip(edges, edges[1:]))


def reference1(f, q, kinks=(0.0,)):
    """E[f(√q z)] by scipy, split at the kinks and where f(√q z) varies."""
    sq = math.sqrt(q)
    breaks = [k / sq for k in kinks] + [s / sq for s in (-4, -1, 1, 4)]
    return quad(lambda z: PDF(z) * f(sq * z), breaks)


def reference2_inner(inner, q, c, kinks):
    """E[f(u1) g(u2)] = ∫ Dz1 inner(√q z1, μ, σ) with μ = √q c z1, σ = √q √(1−c²) (inner given in closed form)."""
    sq, s = math.sqrt(q), math.sqrt(1 - c * c)
    breaks = [k / sq for k in kinks] + ([k / (sq * c) for k in kinks] if c else [])
    return quad(lambda z: PDF(z) * inner(sq * z, sq * c * z, sq * s), breaks)


def close(x, ref, rtol):
    return abs(x - ref) <= rtol * max(abs(ref), 1e-300) or abs(x - ref) < 1e-300


def rel(x, ref):
    return abs(x - ref) / max(abs(ref), 1e-300)


QS = (1e-6, 1.0, 20.0, 100.0)
SMOOTH_1D = {
    "tanh^2": lambda u: math.tanh(u) ** 2,
    "sech^4": lambda u: 1 / math.cosh(u) ** 4,
    "sigmoid^2": lambda u: 1 / (1 + math.exp(-u)) ** 2,
    "(tanh'')^2": lambda u: (2 * math.tanh(u) / math.cosh(u) ** 2) ** 2,
    "erf(u) u": lambda u: math.erf(u) * u,
}


@pytest.mark.parametrize("name", SMOOTH_1D)
@pytest.mark.parametrize("q", QS)
def test_expect_1d_accuracy(name, q):
    f = SMOOTH_1D[name]
    assert rel(expect(f, q), reference1(f, q)) < 1e-10


@pytest.mark.parametrize("q", QS)
def test_expect_2d_accuracy_tanh(q):
    """E[tanh(u1) tanh(u2)] against a nested scipy integral."""
    def inner_ref(u1, mu, sigma):
        return math.tanh(u1) * quad(lambda z: PDF(z) * math.tanh(mu + sigma * z), [-mu / sigma])

    c = 0.95 if q > 1 else -0.6
    got = expect2(math.tanh, math.tanh, q, c)
    assert rel(got, reference2_inner(inner_ref, q, c, (0.0,))) < 1e-10


@pytest.mark.parametrize("name", ["erf", "linear"])
def test_closed_forms_against_quadrature(name):
    """erf (Williams' arcsine kernel) and linear closed forms equal the quadrature of the same φ to 1e-10."""
    a = activation(name)
    for q in QS:
        m_closed = moments1(a.kernel, a.phi, a.dphi, a.d2phi, q)
        m_quad = moments1(QUADRATURE, a.phi, a.dphi, a.d2phi, q)
        assert all(close(x, y, 1e-10) for x, y in zip(m_closed, m_quad)), (q, m_closed, m_quad)
        for c in (-0.99, -0.5, 0.0, 0.5, 0.95, 0.999, 1.0):
            p_closed = moments2(a.kernel, a.phi, a.dphi, q, c)
            p_quad = moments2(QUADRATURE, a.phi, a.dphi, q, c)
            assert abs(p_closed[0] - p_quad[0]) <= 1e-10 * max(abs(p_quad[0]), q * 1e-3), (q, c)
            assert close(p_closed[1], p_quad[1], 1e-10), (q, c)


@pytest.mark.parametrize("q", (1e-6, 0.3, 1.0, 20.0, 100.0))
def test_relu_arccos_kernel(q):
    """Cho–Saul arc-cosine kernel against E over z1 of the exact conditional expectations over z2."""
    a = activation("relu")
    assert moments1(a.kernel, a.phi, a.dphi, a.d2phi, q)[:2] == (0.5 * q, 0.5)
    for c in (-0.999, -0.5, 0.0, 0.3, 0.9, 0.999, 1.0):
        if abs(c) == 1.0:
            ref_pp, ref_dd = (q / 2, 0.5) if c > 0 else (0.0, 0.0)
        else:
            ref_pp = reference2_inner(lambda u1, m, s: max(u1, 0) * (m * ndtr(m / s) + s * PDF(m / s)), q, c, (0.0,))
            ref_dd = reference2_inner(lambda u1, m, s: (u1 > 0) * ndtr(m / s), q, c, (0.0,))
        pp, dd = moments2(a.kernel, a.phi, a.dphi, q, c)
        assert abs(pp - ref_pp) <= 1e-10 * q and abs(dd - ref_dd) <= 1e-10, (c, pp, ref_pp, dd, ref_dd)


def _clip_inner(u1, m, s):
    """clip(u1) E[clip(m + s Z)] (closed form for a Gaussian)."""
    lo, hi = (-1 - m) / s, (1 - m) / s
    inside = m * (ndtr(hi) - ndtr(lo)) + s * (PDF(lo) - PDF(hi))
    return min(1.0, max(-1.0, u1)) * (-ndtr(lo) + ndtr(-hi) + inside)


def _clip_prime_inner(u1, m, s):
    return (abs(u1) < 1) * (ndtr((1 - m) / s) - ndtr((-1 - m) / s))


@pytest.mark.parametrize("q", (0.01, 1.0, 20.0, 100.0, 1e4))
def test_hard_tanh_closed_forms(q):
    a = activation("hard-tanh")
    m0, m1, m2, dm = moments1(a.kernel, a.phi, a.dphi, a.d2phi, q)
    kinks = (-1.0, 1.0)
    assert close(m0, reference1(lambda u: min(1, max(-1, u)) ** 2, q, kinks), 1e-10)
    assert close(m1, reference1(lambda u: float(abs(u) < 1), q, kinks), 1e-10)
    h = 1e-5 * q  # d/dq E[φ²] by a central difference of the closed form
    fd = (moments1(a.kernel, a.phi, a.dphi, a.d2phi, q + h)[0] - moments1(a.kernel, a.phi, a.dphi, a.d2phi, q - h)[0])
    assert close(dm, fd / (2 * h), 1e-6) and m2 == math.inf
    for c in (-0.999, -0.5, 0.3, 0.9, 0.999):
        pp, dd = moments2(a.kernel, a.phi, a.dphi, q, c)
        assert close(pp, reference2_inner(_clip_inner, q, c, kinks), 1e-10), c
        assert close(dd, reference2_inner(_clip_prime_inner, q, c, kinks), 1e-10), c
    assert moments2(a.kernel, a.phi, a.dphi, q, 1.0) == pytest.approx((m0, m1), rel=1e-12)


def test_user_activation_and_unknown_name():
    mine = Activation(lambda u: math.tanh(u), lambda u: 1 / math.cosh(u) ** 2,
                      lambda u: -2 * math.tanh(u) / math.cosh(u) ** 2, "my-tanh")
    assert fixed_point(mine, 2.5, 0.1) == fixed_point("tanh", 2.5, 0.1)
    with pytest.raises(ValueError, match="unknown activation"):
        activation("softplus")
    with pytest.raises(ValueError):
        fixed_point("tanh", -1.0, 0.1)


POINTS = [("tanh", 2.5, 0.1), ("tanh", 1.2, 0.3), ("tanh", 16.0, 0.09), ("erf", 3.0, 0.2), ("sigmoid", 8.0, 0.5),
          ("hard-tanh", 2.0, 0.1), ("hard-tanh", 1.1, 0.5)]


@pytest.mark.parametrize("phi,sw2,sb2", POINTS)
def test_fixed_points_are_roots_with_their_slopes(phi, sw2, sb2):
    fp = fixed_point(phi, sw2, sb2)
    assert close(q_map(phi, sw2, sb2, fp.q_star), fp.q_star, 1e-13)
    assert abs(c_map(phi, sw2, sb2, fp.q_star, fp.c_star) - fp.c_star) < 1e-13
    a = activation(phi)
    assert close(fp.chi1, sw2 * moments1(a.kernel, a.phi, a.dphi, a.d2phi, fp.q_star)[1], 1e-14)
    h = 1e-5 * fp.q_star
    slope = (q_map(phi, sw2, sb2, fp.q_star + h) - q_map(phi, sw2, sb2, fp.q_star - h)) / (2 * h)
    assert close(fp.dV, slope, 1e-7)
    if fp.c_star < 1:  # chaotic: χ_c is the c-map's slope at c* < 1 and the fixed point is stable
        dc = 1e-5
        slope = (c_map(phi, sw2, sb2, fp.q_star, fp.c_star + dc) - c_map(phi, sw2, sb2, fp.q_star, fp.c_star - dc))
        assert close(fp.chi_c, slope / (2 * dc), 1e-7) and fp.chi_c < 1 < fp.chi1
    else:
        assert fp.chi1 <= 1 and fp.chi_c == fp.chi1


def test_critical_line():
    for phi in ("tanh", "erf", "hard-tanh"):
        assert abs(sigma_w2_critical(phi, 0.0) - 1.0) < 1e-10, phi
    assert sigma_w2_critical("relu", 0.3) == 2.0 and sigma_w2_critical("linear", 0.3) == 1.0
    crit = sigma_w2_critical("tanh", 0.05)
    assert abs(crit - 1.76) < 2e-3  # Schoenholz et al. (2017): σ_w² ≈ 1.76
    assert abs(fixed_point("tanh", crit, 0.05).chi1 - 1.0) < 1e-12
    assert fixed_point("tanh", crit * 0.999, 0.05).chi1 < 1 < fixed_point("tanh", crit * 1.001, 0.05).chi1


def test_solver_exact_where_iteration_is_algebraic():
    """At χ_1 = 1 iterating the maps converges like 1/l; the root solver is exact."""
    fp = fixed_point("tanh", 1.0, 0.0)
    assert fp.q_star == 0.0 and fp.chi1 == 1.0
    q, _ = theory_curves("tanh", 1.0, 0.0, 1.0, 0.5, 1000)
    assert q[-1] > 1e-4  # ≈ 1/(2l): still far from q* = 0
    crit = sigma_w2_critical("tanh", 0.05)
    fp = fixed_point("tanh", crit, 0.05)
    assert fp.c_star == 1.0 and abs(fp.chi_c - 1) < 1e-12 and fp.xi_c > 1e10
    _, c = theory_curves("tanh", crit, 0.05, fp.q_star, 0.5, 1000)
    assert 1 - c[-1] > 1e-3
    sw2 = crit * 1.0005  # barely chaotic: c* < 1 and χ_c → 1
    fp = fixed_point("tanh", sw2, 0.05)
    assert fp.c_star < 1 and abs(c_map("tanh", sw2, 0.05, fp.q_star, fp.c_star) - fp.c_star) < 1e-14
    _, c = theory_curves("tanh", sw2, 0.05, fp.q_star, 0.5, 1000)
    assert abs(c[-1] - fp.c_star) > 1e-4


@pytest.mark.parametrize("sw2,sb2", [(2.5, 0.1), (1.2, 0.1), (4.0, 1.0)])
def test_depth_scales_against_iterated_maps(sw2, sb2):
    """|q^l − q*| ∝ exp(−l/ξ_q) and |c^l − c*| ∝ exp(−l/ξ_c) for the iterated theory maps."""
    fp = fixed_point("tanh", sw2, sb2)
    q, _ = theory_curves("tanh", sw2, sb2, 3.0 * fp.q_star, 0.5, 60)
    dq = np.abs(q - fp.q_star)
    use = np.nonzero((dq < 1e-3 * fp.q_star) & (dq > 1e-9 * fp.q_star))[0]
    xi_fit = -1 / np.polyfit(use, np.log(dq[use]), 1)[0]
    assert abs(xi_fit / fp.xi_q - 1) < 1e-3
    _, c = theory_curves("tanh", sw2, sb2, fp.q_star, 0.5, 400)  # q^l = q*: c alone relaxes
    dc = np.abs(c - fp.c_star)
    use = np.nonzero((dc < 1e-4) & (dc > 1e-10))[0]
    xi_fit = -1 / np.polyfit(use, np.log(dc[use]), 1)[0]
    assert abs(xi_fit / fp.xi_c - 1) < 1e-3


def test_relu_structure():
    for sw2, sb2 in [(0.5, 0.2), (1.0, 0.0), (1.9, 1.0)]:
        fp = fixed_point("relu", sw2, sb2)
        assert fp.chi1 == sw2 / 2 and fp.q_star == sb2 / (1 - sw2 / 2) and fp.c_star == 1 and fp.chi_c == sw2 / 2
        assert fp.chi2 == math.inf
    for sw2, sb2 in [(2.5, 0.0), (2.5, 1.0), (2.0, 0.1)]:
        fp = fixed_point("relu", sw2, sb2)
        assert fp.q_star == math.inf and fp.chi1 == sw2 / 2 and math.isnan(fp.c_star) and math.isnan(fp.xi_c)
    fp = fixed_point("relu", 2.0, 0.0)  # the only critical point with finite q^l: every q is fixed
    assert math.isnan(fp.q_star) and fp.chi1 == fp.chi_c == fp.c_star == 1 and fp.xi_c == fp.xi_q == math.inf
    q, c = theory_curves("relu", 2.0, 0.3, 1.5, 0.2, 10)
    assert np.allclose(q, 1.5 + 0.3 * np.arange(11), rtol=1e-15)
    q, c = theory_curves("relu", 2.0, 0.0, 1.5, 0.2, 200)
    assert np.all(q == 1.5) and np.all(np.diff(c) > 0) and 1 - c[-1] < 1e-3  # c → 1 algebraically
    a = activation("relu")
    for c0 in (-0.5, 0.3, 0.9):  # Price: ∂_c E[φφ] = q E[φ'φ']
        d = (moments2(a.kernel, a.phi, a.dphi, 2.0, c0 + 1e-6)[0] - moments2(a.kernel, a.phi, a.dphi, 2.0, c0 - 1e-6)[0])
        assert close(d / 2e-6, 2.0 * moments2(a.kernel, a.phi, a.dphi, 2.0, c0)[1], 1e-8)


def test_phase_diagram_matches_points_and_is_thread_independent():
    sw2, sb2 = np.linspace(0.8, 4.0, 7), np.array([0.0, 0.05, 0.5, 2.0])
    numba.set_num_threads(1)
    one = phase_diagram("tanh", sw2, sb2)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    pd = phase_diagram("tanh", sw2, sb2)
    for key in ("q_star", "chi1", "c_star", "chi_c", "xi_c", "sigma_w2_critical"):
        assert np.array_equal(one[key], pd[key], equal_nan=True), key
    assert pd["chi1"].shape == (7, 4) and pd["sigma_w2_critical"].shape == (4,)
    for i in (0, 3, 6):
        for j in range(4):
            fp = fixed_point("tanh", sw2[i], sb2[j])
            for key in ("q_star", "chi1", "c_star", "chi_c"):
                assert abs(pd[key][i, j] - getattr(fp, key)) <= 1e-12 * max(1.0, abs(getattr(fp, key))), (key, i, j)
    for j, b in enumerate(sb2):
        assert abs(fixed_point("tanh", pd["sigma_w2_critical"][j], b).chi1 - 1) < 1e-12
    assert depth_scale(1.0) == math.inf and depth_scale(np.exp(-0.5)) == pytest.approx(2.0)
