"""Every Ising algorithm against exact enumeration of the 4×4 lattice (2^16 states).

Tolerance: |estimate − exact| < Z·σ with σ the run's own autocorrelation-corrected error and Z = 5, so a correct
sampler fails one of the comparisons below far less than once in 10^4 runs (two-sided 5σ: 6e-7 each).
Negative control: the same assertion applied to a chain at a temperature 3 % off rejects it.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from statmech_nn import stats
from statmech_nn.models.ising import exact_ensemble
from statmech_nn.rng import seed_sequence
from statmech_nn.samplers.ising import ALGORITHMS, IsingChain

Z = 5.0
L = 4
N = L * L


def sample(algorithm: str, T: float, rows: int, seed: int = 11, J: float = 1.0, h: float = 0.0):
    chain = IsingChain(L=L, T=T, J=J, h=h, algorithm=algorithm, sweeps=rows, burn_in=200, seed=seed_sequence(seed))
    state = chain.init_state()
    out: dict[str, list] = {"energy": [], "magnetization": []}
    while chain.progress(state)[0] < chain.progress(state)[1]:
        for name, (_, values) in chain.advance(state, 1 << 16).items():
            out[name].append(values)
    return np.concatenate(out["energy"]), np.concatenate(out["magnetization"])


def estimates(e, m, T):
    beta = 1.0 / T
    return {
        "energy": stats.mean(e),
        "abs_magnetization": stats.mean(np.abs(m)),
        "m2": stats.mean(m * m),
        "specific_heat": stats.specific_heat(e, beta, N),
        "susceptibility": stats.susceptibility(m, beta, N),
    }


def exact_values(T, J=1.0, h=0.0):
    ex = exact_ensemble(L, T, J, h)
    e1, e2 = ex.expect(lambda e, m: e), ex.expect(lambda e, m: e * e)
    a1, m2 = ex.expect(lambda e, m: np.abs(m)), ex.expect(lambda e, m: m * m)
    return {
        "energy": e1,
        "abs_magnetization": a1,
        "m2": m2,
        "specific_heat": N * (e2 - e1 * e1) / T**2,
        "susceptibility": N * (m2 - a1 * a1) / T,
    }


def deviations(est, exact):
    return {k: (est[k].value - exact[k]) / est[k].error for k in exact}


ROWS = {"metropolis": 200_000, "heat-bath": 200_000, "wolff": 100_000, "swendsen-wang": 100_000}


@pytest.mark.parametrize("T", [2.0, 2.6])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_moments_match_exact_enumeration(algorithm, T):
    e, m = sample(algorithm, T, ROWS[algorithm])
    z = deviations(estimates(e, m, T), exact_values(T))
    assert all(abs(v) < Z for v in z.values()), z


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_field_and_antiferromagnet_match_exact(algorithm):
    """h ≠ 0 and J < 0 exercise the field acceptance and the antiparallel bonds."""
    for J, h in [(1.0, 0.3), (-1.0, 0.0)]:
        e, m = sample(algorithm, 2.4, ROWS[algorithm], J=J, h=h)
        est = {"energy": stats.mean(e), "m": stats.mean(m), "m2": stats.mean(m * m)}
        ex = exact_ensemble(L, 2.4, J, h)
        exact = {"energy": ex.expect(lambda e_, m_: e_), "m": ex.expect(lambda e_, m_: m_),
                 "m2": ex.expect(lambda e_, m_: m_ * m_)}
        z = deviations(est, exact)
        assert all(abs(v) < Z for v in z.values()), (J, h, z)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_negative_control_wrong_temperature_is_rejected(algorithm):
    """The same assertion must fail for a chain whose temperature is 3 % off."""
    T = 2.6
    e, m = sample(algorithm, T * 1.03, ROWS[algorithm])
    z = deviations(estimates(e, m, T), exact_values(T))
    assert max(abs(v) for v in z.values()) > Z, z


def _chi2_energy_histogram(e, T):
    """χ² statistic and degrees of freedom of the energy histogram against the exact one (thinned by 4 τ_int)."""
    tau, _ = stats.tau_int(e)
    sample_ = e[:: max(1, math.ceil(4 * tau))]
    levels, p = exact_ensemble(L, T).energy_distribution()
    idx = np.searchsorted(levels, np.round(sample_, 12))
    assert np.allclose(levels[np.clip(idx, 0, len(levels) - 1)], sample_), "energy off the exact levels"
    counts = np.bincount(idx, minlength=len(levels)).astype(float)
    expected = p * len(sample_)
    keep = expected >= 5  # pool rare levels into one bin
    obs = np.append(counts[keep], counts[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    if exp[-1] < 5:
        obs, exp = obs[:-1], exp[:-1]
    return float(np.sum((obs - exp) ** 2 / exp)), len(obs) - 1


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_energy_histogram_matches_exact(algorithm):
    from scipy.stats import chi2

    T = 2.3
    e, _ = sample(algorithm, T, ROWS[algorithm], seed=5)
    stat, dof = _chi2_energy_histogram(e, T)
    assert chi2.sf(stat, dof) > 1e-5, (stat, dof)
    # negative control: the histogram of a chain 3 % hotter is rejected by the same test
    e_hot, _ = sample(algorithm, T * 1.03, ROWS[algorithm], seed=5)
    stat, dof = _chi2_energy_histogram(e_hot, T)
    assert chi2.sf(stat, dof) < 1e-5, (stat, dof)


def test_negative_control_size_based_wolff_sweep_is_biased():
    """Measuring after 'clusters until L² spins were flipped' (a stopping time that depends on cluster sizes)
    biases towards order; the exact-enumeration assertion catches it, which is why Wolff sweeps use a fixed K."""
    from statmech_nn.rng import xoshiro256_state
    from statmech_nn.samplers.cluster import wolff_chunk

    T, rows = 2.6, 100_000
    spins, rng = np.ones((L, L), np.int8), xoshiro256_state(seed_sequence(3))
    e, m = np.empty(rows), np.empty(rows)
    wolff_chunk(spins, rng, 1.0 / T, 1.0, 0.0, 1, 0, e, m)  # clusters_per_sweep = 0: size-based stopping
    z = deviations(estimates(e, m, T), exact_values(T))
    assert abs(z["energy"]) > Z, z
