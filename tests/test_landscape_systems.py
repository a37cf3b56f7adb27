"""The explorer's systems, minimisation, basin hopping and transition states against published values and
finite differences (docs/landscape.md)."""
from __future__ import annotations

import numpy as np
import pytest

from statmech_nn.landscape import (Database, LennardJones, MullerBrown, Quadratic, SphericalPSpin, basin_hopping,
                                   connect, finite_difference_check, hessian_eigenvalues, minimize, refine_ts,
                                   verify_ts)
from statmech_nn.threads import owned_by
from statmech_nn.landscape.networks import network_system
from statmech_nn.rng import seed_sequence, xoshiro256_state
from statmech_nn.spinglass.pspin import pspin_model

# Mueller & Brown (1979): minima and saddles (x, y, E) as tabulated in the literature (3 decimals).
MB_MINIMA = [(-0.558, 1.442, -146.70), (0.623, 0.028, -108.17), (-0.050, 0.467, -80.77)]
MB_SADDLES = [(-0.822, 0.624, -40.66), (0.212, 0.293, -72.25)]
# Cambridge Cluster Database global minima (epsilon)
LJ7, LJ13 = -16.505384, -44.326801


def rng(seed, *key):
    return xoshiro256_state(seed_sequence(seed, *key))


def systems():
    """(name, system, a generic point) of every system."""
    lj = LennardJones(7)
    x_lj = minimize(lj, lj.start(rng(1))).x + 0.02 * np.sin(np.arange(21.0))
    ps3 = SphericalPSpin(pspin_model(10, 3, 2))
    ps4 = SphericalPSpin(pspin_model(9, 4, 2))
    xor = network_system("xor", 3, 1e-3)
    teacher = network_system("teacher", 3, 1e-3, seed=4, samples=20, inputs=3, teacher_hidden=2)
    q = Quadratic(np.array([[2.0, 0.5], [0.5, 1.0]]))
    return [("lj", lj, x_lj), ("muller-brown", MullerBrown(), np.array([-0.3, 0.8])),
            ("pspin3", ps3, ps3.start(rng(3))), ("pspin4", ps4, ps4.start(rng(4))),
            ("mlp-xor", xor, xor.start(rng(5))), ("mlp-teacher", teacher, teacher.start(rng(6))),
            ("quadratic", q, np.array([0.3, -0.7]))]


@pytest.mark.parametrize("name, system, x", systems(), ids=lambda v: v if isinstance(v, str) else "")
def test_derivatives_match_finite_differences(name, system, x):
    err_g, err_h = finite_difference_check(system, x, h=1e-5)
    assert err_g < 1e-6 and err_h < 1e-5


def test_finite_difference_check_catches_a_wrong_hessian():
    class Broken(MullerBrown):
        def hessian(self, x):
            h = super().hessian(x)
            h[0, 1] *= 1.01
            return h

    assert finite_difference_check(Broken(), np.array([-0.3, 0.8]), h=1e-5)[1] > 1e-3


def test_pspin_hessian_is_the_riemannian_hessian_at_critical_points():
    system = SphericalPSpin(pspin_model(12, 3, 5))
    m = minimize(system, system.start(rng(7)), gtol=1e-10)
    expected = system.model.tangent_hessian_eigenvalues(m.x)
    np.testing.assert_allclose(hessian_eigenvalues(system, m.x), expected, atol=1e-7)
    assert expected[0] > 0  # a minimum: index 0


def test_mueller_brown_minima_and_saddles_at_published_values():
    mb = MullerBrown()
    db = Database(mb)
    for x, y, e in MB_MINIMA:
        m = minimize(mb, np.array([x, y]) + 0.05)
        assert np.allclose(m.x, [x, y], atol=1.5e-3) and abs(m.energy - e) < 0.01
        db.add_minimum(m.x, m.energy)
    with owned_by("numba"):
        assert connect(mb, db, 0, 1) == 2  # the band A -> B passes over both saddles and through C
    assert db.n_minima == 3  # no new minima
    for (x, y, e), ts, pair in zip(MB_SADDLES, sorted(zip(db.ts_coords, db.ts_energy, db.ts_connects),
                                                     key=lambda t: t[0][0]), [(0, 2), (1, 2)]):
        assert np.allclose(ts[0], [x, y], atol=1.5e-3) and abs(ts[1] - e) < 0.01
        assert ts[2] == pair
        w = hessian_eigenvalues(mb, ts[0])
        assert w[0] < 0 < w[1]


def test_verify_ts_rejects_minima_and_non_stationary_points():
    mb = MullerBrown()
    m = minimize(mb, np.array([-0.5, 1.4]))
    assert verify_ts(mb, m.x) is None
    assert verify_ts(mb, np.array([-0.8, 0.7])) is None
    x, e, ok = refine_ts(mb, np.array([-0.8, 0.7]))
    assert ok and verify_ts(mb, x) is not None


@pytest.mark.parametrize("n, target, seed", [(7, LJ7, 1), (7, LJ7, 2), (13, LJ13, 1), (13, LJ13, 3)])
def test_lj_global_minima_from_random_starts(n, target, seed):
    db, energies, reached = basin_hopping(LennardJones(n), 300, seed, 0.36, 0.8, target=target, target_tol=1e-5)
    assert reached >= 0
    assert abs(min(db.min_energy) - target) < 1e-6


def test_lj13_needs_hopping_from_these_starts():
    """Negative control: plain minimisation from the same kind of random starts mostly misses the icosahedron."""
    lj = LennardJones(13)
    energies = [minimize(lj, lj.start(rng(s))).energy for s in range(10)]
    assert sum(abs(e - LJ13) < 1e-5 for e in energies) < 5


def test_same_structure_removes_symmetries():
    lj = LennardJones(7)
    x = minimize(lj, lj.start(rng(1))).x.reshape(7, 3)
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))
    moved = (x[np.random.default_rng(1).permutation(7)] @ q + 3.0).ravel()
    assert lj.same(x.ravel(), moved)
    other = minimize(lj, lj.start(rng(2))).x
    assert abs(lj.energy(other) - lj.energy(x.ravel())) > 1e-3 or lj.same(other, x.ravel())
    assert not lj.same(x.ravel(), (x + 0.01 * np.arange(21.0).reshape(7, 3)).ravel())

    ps4 = SphericalPSpin(pspin_model(9, 4, 2))
    s = ps4.start(rng(8))
    assert ps4.same(s, -s) and ps4.energy(s) == pytest.approx(ps4.energy(-s))
    ps3 = SphericalPSpin(pspin_model(9, 3, 2))
    assert not ps3.same(s, -s)

    net = network_system("xor", 3, 1e-3)
    theta = net.start(rng(9))
    (w1, b1), (w2, b2) = net.objective.model.layers(theta.copy())
    perm, sign = np.array([2, 0, 1]), np.array([1.0, -1.0, -1.0])
    flipped = np.concatenate([(w1[:, perm] * sign).ravel(), b1[perm] * sign, (w2[perm] * sign[:, None]).ravel(), b2])
    assert net.energy(flipped) == pytest.approx(net.energy(theta), rel=1e-12)
    assert net.same(theta, flipped)
    assert not net.same(theta, theta + 1e-2)


def test_database_stores_each_minimum_once():
    lj = LennardJones(7)
    db = Database(lj)
    m = minimize(lj, lj.start(rng(1)))
    assert db.add_minimum(m.x, m.energy) == (0, True)
    rotated = (m.x.reshape(7, 3)[::-1] @ np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])).ravel()
    assert db.add_minimum(rotated, lj.energy(rotated)) == (0, False)
