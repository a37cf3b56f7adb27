"""Tests for the checkerboard Metropolis / heat-bath kernel (statmech_nn.samplers.checkerboard)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from statmech_nn.rng import seed_sequence, xoshiro128_lanes
from statmech_nn.samplers.checkerboard import checkerboard_chunk

MASK = 0xFFFFFFFF


def random_spins(L: int, seed: int) -> np.ndarray:
    return (1 - 2 * np.random.default_rng(seed).integers(0, 2, size=(L, L))).astype(np.int8)


def run(spins, lanes, beta, J, h, heat_bath, sweeps_per_row, rows):
    e, m = np.empty(rows), np.empty(rows)
    checkerboard_chunk(spins, lanes, beta, J, h, heat_bath, sweeps_per_row, e, m)
    return e, m


def numpy_energy_magnetization(spins, J, h):
    """E/N = (-J Σ_i s_i (s_{i+x̂} + s_{i+ŷ}) - h Σ_i s_i) / N and M/N, periodic (2×2: each pair twice)."""
    s = spins.astype(np.int64)
    bonds = np.sum(s * (np.roll(s, -1, axis=0) + np.roll(s, -1, axis=1)))
    return (-J * bonds - h * s.sum()) / s.size, s.sum() / s.size


def reference_sweeps(spins, lanes, beta, J, h, heat_bath, sweeps):
    """Plain-Python sweeps in the natural layout: black (i + j even) then white; in row i of colour c the sites are
    j = 2k + ((i + c) & 1) and lane k draws r = xoshiro128+; a flip happens iff r < round(P 2³²) or P rounds to 1."""
    L = spins.shape[0]
    s = spins.astype(np.int64)
    st = [[int(x) for x in lanes[q]] for q in range(4)]
    for _ in range(sweeps):
        for colour in (0, 1):
            for i in range(L):
                for k in range(L // 2):
                    a, b, c, d = st[0][k], st[1][k], st[2][k], st[3][k]
                    r = (a + d) & MASK
                    t = (b << 9) & MASK
                    c ^= a
                    d ^= b
                    b ^= c
                    a ^= d
                    c ^= t
                    d = ((d << 11) | (d >> 21)) & MASK
                    st[0][k], st[1][k], st[2][k], st[3][k] = a, b, c, d
                    j = 2 * k + ((i + colour) & 1)
                    n = s[(i - 1) % L, j] + s[(i + 1) % L, j] + s[i, (j - 1) % L] + s[i, (j + 1) % L]
                    y = 2.0 * beta * s[i, j] * (J * n + h)
                    p = 1.0 / (1.0 + math.exp(y)) if heat_bath else min(1.0, math.exp(-y))
                    thr = math.floor(p * 2.0**32 + 0.5)
                    if thr >= MASK or r < thr:
                        s[i, j] = -s[i, j]
    return s.astype(np.int8), np.array(st, dtype=np.uint32)


@pytest.mark.parametrize("heat_bath", [False, True])
@pytest.mark.parametrize("L", [2, 6, 66])  # 66: L/2 = 33 columns, more than the minimum padded width
def test_matches_plain_reference(L, heat_bath):
    spins = random_spins(L, 1)
    lanes = xoshiro128_lanes(seed_sequence(5, L), L // 2)
    want_spins, want_lanes = reference_sweeps(spins, lanes, 0.6, -0.7, 0.4, heat_bath, 2)
    run(spins, lanes, 0.6, -0.7, 0.4, heat_bath, 2, 1)
    np.testing.assert_array_equal(spins, want_spins)
    np.testing.assert_array_equal(lanes, want_lanes)


@pytest.mark.parametrize("heat_bath", [False, True])
def test_chunking_is_bit_identical(heat_bath):
    L, beta, J, h = 16, 0.44, 1.0, 0.05
    spins_a = random_spins(L, 2)
    lanes_a = xoshiro128_lanes(seed_sequence(7), L // 2)
    spins_b, lanes_b = spins_a.copy(), lanes_a.copy()
    e_a, m_a = run(spins_a, lanes_a, beta, J, h, heat_bath, 3, 8)
    e_b1, m_b1 = run(spins_b, lanes_b, beta, J, h, heat_bath, 3, 4)
    e_b2, m_b2 = run(spins_b, lanes_b, beta, J, h, heat_bath, 3, 4)
    np.testing.assert_array_equal(spins_a, spins_b)
    np.testing.assert_array_equal(lanes_a, lanes_b)
    np.testing.assert_array_equal(e_a, np.concatenate([e_b1, e_b2]))
    np.testing.assert_array_equal(m_a, np.concatenate([m_b1, m_b2]))


@pytest.mark.parametrize("L", [2, 4, 10])
def test_measurements_match_numpy(L):
    J, h = -0.7, 0.3
    spins = random_spins(L, 3)
    lanes = xoshiro128_lanes(seed_sequence(9), L // 2)
    for _ in range(5):
        e, m = run(spins, lanes, 0.5, J, h, False, 2, 1)
        want_e, want_m = numpy_energy_magnetization(spins, J, h)
        assert e[0] == pytest.approx(want_e, abs=1e-12)
        assert m[0] == pytest.approx(want_m, abs=1e-12)


def test_empty_output_leaves_state_alone():
    spins = random_spins(8, 4)
    lanes = xoshiro128_lanes(seed_sequence(11), 4)
    spins0, lanes0 = spins.copy(), lanes.copy()
    run(spins, lanes, 0.44, 1.0, 0.0, False, 5, 0)
    np.testing.assert_array_equal(spins, spins0)
    np.testing.assert_array_equal(lanes, lanes0)


@pytest.mark.parametrize("heat_bath", [False, True])
@pytest.mark.parametrize("L", [2, 8])
def test_ground_state_is_frozen_at_large_beta(L, heat_bath):
    spins = np.ones((L, L), np.int8)
    lanes = xoshiro128_lanes(seed_sequence(13), L // 2)
    e, m = run(spins, lanes, 50.0, 1.0, 0.0, heat_bath, 5, 20)
    assert np.all(spins == 1)
    np.testing.assert_array_equal(e, -2.0)  # two bonds per site (on 2×2 each pair counts twice)
    np.testing.assert_array_equal(m, 1.0)


@pytest.mark.parametrize("word, beta, want", [(MASK, 0.0, -1), (0, 50.0, 1)])
def test_threshold_edges_are_exact(word, beta, want):
    """Every lane's first word r is ``word``. At β = 0 every move has P = 1 and must be taken even for r = 2³² - 1;
    at β = 50 the ordered state's moves have P = e^{-400} (threshold 0) and must be refused even for r = 0."""
    L = 8
    lanes = np.zeros((4, L // 2), np.uint32)
    lanes[0] = word  # r = s0 + s3
    lanes[1] = 1  # a nonzero state
    spins = np.ones((L, L), np.int8)
    run(spins, lanes, beta, 1.0, 0.0, False, 1, 1)
    assert np.all(spins == want)


def test_heat_bath_free_spins_in_a_field():
    """J = 0: every sweep draws each spin afresh with <s> = tanh(βh), so rows after the first are independent."""
    L, beta, h, rows = 16, 1.0, 0.3, 4000
    spins = np.ones((L, L), np.int8)
    lanes = xoshiro128_lanes(seed_sequence(19), L // 2)
    e, m = run(spins, lanes, beta, 0.0, h, True, 1, rows)
    np.testing.assert_allclose(e, -h * m, rtol=0, atol=1e-15)
    m = m[1:]
    se = m.std(ddof=1) / math.sqrt(m.size)
    assert abs(m.mean() - math.tanh(beta * h)) < 5.0 * se
