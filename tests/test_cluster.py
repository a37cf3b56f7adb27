"""Wolff and Swendsen–Wang kernels: exact resumability, measurements, limits and symmetries."""
import numpy as np
import pytest

from statmech_nn.rng import seed_sequence, xoshiro256_state
from statmech_nn.samplers.cluster import swendsen_wang_chunk, wolff_chunk

KERNELS = {"wolff": wolff_chunk, "sw": swendsen_wang_chunk}


def random_spins(L, seed):
    return np.where(np.random.default_rng(seed).random((L, L)) < 0.5, 1, -1).astype(np.int8)


def run(kernel, spins, rng, beta, J, h, rows, sweeps_per_row=1, clusters_per_sweep=None):
    """Run a kernel; Wolff sweeps are ``clusters_per_sweep`` updates (default L², right for small clusters;
    0 is the burn-in calibration mode). Returns (clusters, energies, magnetizations)."""
    energy = np.empty(rows)
    magnetization = np.empty(rows)
    if kernel is wolff_chunk:
        k = spins.size if clusters_per_sweep is None else clusters_per_sweep
        count, _ = kernel(spins, rng, beta, J, h, sweeps_per_row, k, energy, magnetization)
    else:
        count = kernel(spins, rng, beta, J, h, sweeps_per_row, energy, magnetization)
    return count, energy, magnetization


def numpy_energy_magnetization(spins, J, h):
    s = spins.astype(np.int64)
    bonds = np.sum(s * (np.roll(s, -1, axis=0) + np.roll(s, -1, axis=1)))
    return (-J * bonds - h * s.sum()) / s.size, s.sum() / s.size


def staggered(spins):
    r, c = np.indices(spins.shape)
    return float(np.mean(spins * (1 - 2 * ((r + c) % 2))))


@pytest.mark.parametrize("name, k", [("wolff", 3), ("wolff", 0), ("sw", None)])
@pytest.mark.parametrize("L, beta, J, h", [(6, 0.44, 1.0, 0.0), (5, 0.6, -1.0, 0.3), (4, 0.3, 0.7, -0.5)])
def test_chunking_is_bit_identical(name, k, L, beta, J, h):
    kernel = KERNELS[name]
    spins_a, rng_a = random_spins(L, 1), xoshiro256_state(seed_sequence(7))
    spins_b, rng_b = spins_a.copy(), rng_a.copy()
    count_a, e_a, m_a = run(kernel, spins_a, rng_a, beta, J, h, 10, 3, k)
    count_b1, e_b1, m_b1 = run(kernel, spins_b, rng_b, beta, J, h, 5, 3, k)
    count_b2, e_b2, m_b2 = run(kernel, spins_b, rng_b, beta, J, h, 5, 3, k)
    assert np.array_equal(spins_a, spins_b) and np.array_equal(rng_a, rng_b)
    assert np.array_equal(e_a, np.concatenate([e_b1, e_b2]))
    assert np.array_equal(m_a, np.concatenate([m_b1, m_b2]))
    assert count_a == count_b1 + count_b2 > 0


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("L, beta, J, h", [(2, 0.5, 1.0, 0.2), (5, 0.44, 1.0, 0.0), (8, 0.4, -1.3, 0.7)])
def test_measurements_match_numpy(name, L, beta, J, h):
    kernel = KERNELS[name]
    spins, rng = random_spins(L, 2), xoshiro256_state(seed_sequence(8))
    for _ in range(5):
        _, energy, magnetization = run(kernel, spins, rng, beta, J, h, 1, sweeps_per_row=2)
        assert set(np.unique(spins)) <= {-1, 1}
        e, m = numpy_energy_magnetization(spins, J, h)
        assert energy[0] == pytest.approx(e, abs=1e-12) and magnetization[0] == pytest.approx(m, abs=1e-12)
    assert run(kernel, spins, rng, beta, J, h, 0)[0] == 0  # zero rows: no sweeps


def test_swendsen_wang_randomises_at_infinite_temperature():
    L, rows = 6, 4000
    spins, rng = np.ones((L, L), np.int8), xoshiro256_state(seed_sequence(9))
    built, _, m = run(swendsen_wang_chunk, spins, rng, 1e-9, 1.0, 0.0, rows)
    assert built == pytest.approx(rows * L * L, rel=1e-3)  # almost every site is its own cluster
    assert abs(m.mean()) < 5 * m.std(ddof=1) / np.sqrt(rows)
    assert abs(np.mean(m**2) - 1 / L**2) < 5 * np.std(m**2, ddof=1) / np.sqrt(rows)


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("L", [16, 5])
def test_orders_at_low_temperature(name, L):
    spins, rng = random_spins(L, 3), xoshiro256_state(seed_sequence(10))
    _, energy, m = run(KERNELS[name], spins, rng, 5.0, 1.0, 0.0, 40)  # Wolff needs ~3 sweeps, SW ~15
    assert np.abs(m[-5:]).min() == 1.0 and np.all(energy[-5:] == -2.0)


@pytest.mark.parametrize("name", KERNELS)
def test_antiferromagnet_orders_staggered(name):
    spins, rng = random_spins(8, 4), xoshiro256_state(seed_sequence(11))
    for _ in range(40):
        run(KERNELS[name], spins, rng, 5.0, -1.0, 0.0, 1)
    assert abs(staggered(spins)) == 1.0
    assert numpy_energy_magnetization(spins, -1.0, 0.0)[0] == -2.0


def test_wolff_free_spins_in_field():
    # J = 0: every cluster is one spin and each step is a Metropolis flip at a random site, so <m> = tanh(βh).
    # Five sweeps between rows decorrelate a spin by a factor ~exp(-5 (1 + e^{-2βh})) < 1e-3.
    L, beta, h, rows = 8, 0.5, 1.0, 2000
    spins, rng = np.ones((L, L), np.int8), xoshiro256_state(seed_sequence(12))
    run(wolff_chunk, spins, rng, beta, 0.0, h, 1, sweeps_per_row=5)
    clusters, _, m = run(wolff_chunk, spins, rng, beta, 0.0, h, rows, sweeps_per_row=5)
    assert clusters == rows * 5 * L * L
    assert abs(m.mean() - np.tanh(beta * h)) < 5 * m.std(ddof=1) / np.sqrt(rows)


def test_swendsen_wang_free_spins_in_field():
    # J = 0: each spin is set by heat bath independently every sweep, so <m> = tanh(βh).
    L, beta, h, rows = 8, 0.5, 1.0, 2000
    spins, rng = np.ones((L, L), np.int8), xoshiro256_state(seed_sequence(13))
    _, _, m = run(swendsen_wang_chunk, spins, rng, beta, 0.0, h, rows)
    assert abs(m.mean() - np.tanh(beta * h)) < 5 * m.std(ddof=1) / np.sqrt(rows)
