"""Hopfield network: AGS replica-symmetric theory, the retrieval kernels, and simulation against theory."""
import itertools
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.learning.hopfield import (advance_retrieval, basin_radius, hebbian_couplings, hopfield_sweeps,
                                           init_retrieval, retrieval_curve, retrieval_problem, retrieval_trials)
from statmech_nn.learning.hopfield_theory import (ags_critical, global_retrieval_load, retrieval_overlap,
                                                  retrieval_spinodal, retrieval_state, rs_free_energy,
                                                  spin_glass_temperature, zero_temperature_overlap)
from statmech_nn.rng import xoshiro256_state, seed_sequence


def test_ags_critical_point_matches_literature():
    alpha_c, m_c = ags_critical()
    assert alpha_c == pytest.approx(0.1379, abs=2e-4)  # AGS 1987: α_c ≈ 0.138
    assert m_c == pytest.approx(0.9674, abs=2e-4)      # m_c ≈ 0.967
    assert zero_temperature_overlap(alpha_c * 0.999) == pytest.approx(m_c, abs=0.01)
    assert zero_temperature_overlap(alpha_c * 1.001) == 0.0


def test_finite_temperature_equations_reduce_to_zero_temperature():
    for a in (0.05, 0.1, 0.13):
        assert retrieval_overlap(a, 0.02) == pytest.approx(zero_temperature_overlap(a), abs=2e-4)
    m, q = retrieval_state(0.05, 0.3)
    assert 0.9 < m and m * m <= q < 1.0  # q = ⟨tanh²⟩ ≥ ⟨tanh⟩² = m²


def test_spinodal_separates_retrieval_from_no_retrieval():
    T = np.array([0.02, 0.2, 0.4, 0.6])
    a_m = retrieval_spinodal(T)
    assert a_m[0] == pytest.approx(ags_critical()[0], abs=2e-3)
    assert np.all(np.diff(a_m) < 0)
    for t, a in zip(T[1:], a_m[1:]):
        assert retrieval_state(a * 0.98, t) is not None
        assert retrieval_state(a * 1.02, t) is None
        assert t < spin_glass_temperature(a)[0]  # retrieval region lies below T_g = 1 + √α
    assert spin_glass_temperature([0.0, 0.25]) == pytest.approx([1.0, 1.5])


def test_free_energy_limits_and_global_stability_line():
    # α → 0: Curie–Weiss, f = m²/2 − T ln 2cosh(m/T) at m = tanh(m/T)
    T, m = 0.5, 0.9575040240772687
    assert m == pytest.approx(math.tanh(m / T), abs=1e-12)
    C = (1 - m * m) / T  # β(1 − q) with q = m² at α = 0
    assert rs_free_energy(m, C, 1e-12, T) == pytest.approx(m * m / 2 - T * math.log(2 * math.cosh(m / T)), abs=1e-9)
    # T → 0 of the finite-T expression meets the T = 0 closed form
    assert rs_free_energy(0.99, 0.1, 0.05, 1e-3) == pytest.approx(rs_free_energy(0.99, 0.1, 0.05, 0.0), abs=2e-3)
    a0 = global_retrieval_load(0.0)
    assert 0.049 < a0 < 0.054  # AGS: retrieval states are global minima below α ≈ 0.05
    assert global_retrieval_load(0.02) == pytest.approx(a0, abs=1e-3)
    T = [0.2, 0.4, 0.6]
    a_c1 = [global_retrieval_load(t) for t in T]
    assert np.all(np.diff(a_c1) < 0) and np.all(np.array(a_c1) < retrieval_spinodal(T))


def test_couplings_are_hebbian_with_zero_diagonal():
    xi, _ = retrieval_problem(7, 0.5, 3, 0, 0)
    J = hebbian_couplings(xi)
    assert np.allclose(J, J.T) and np.all(np.diag(J) == 0)
    i, j = 1, 4
    assert J[i, j] == pytest.approx(np.sum(xi[:, i] * xi[:, j]) / 7)
    assert np.array_equal(hebbian_couplings(xi, integer=True), np.rint(7 * J))


def _boltzmann_moments(NJ, beta):
    """Exact ⟨E⟩, ⟨m1²⟩ (overlap with pattern 1) by enumeration, E = −sᵀ(NJ)s/(2N)."""
    N = NJ.shape[0]
    S = np.array(list(itertools.product((-1, 1), repeat=N)), dtype=float)
    E = -np.einsum("ki,ij,kj->k", S, NJ, S) / (2 * N)
    w = np.exp(-beta * (E - E.min()))
    return S, E, w / w.sum()


def test_heat_bath_kernel_samples_boltzmann_distribution():
    N, T, sweeps, n_bins = 8, 0.8, 40000, 40
    xi, NJ = retrieval_problem(N, 0.25, 11, 0, 0)
    S, E_all, p = _boltzmann_moments(NJ, 1 / T)
    m2_all = (S @ xi[0]) ** 2 / N**2
    spins = np.ones(N, dtype=np.int8)
    fields = NJ.astype(np.int64) @ spins.astype(np.int64)
    rng = xoshiro256_state(seed_sequence(99, 0))
    E, m2 = np.empty(sweeps), np.empty(sweeps)
    for k in range(sweeps):
        hopfield_sweeps(NJ, spins, fields, rng, 1 / (T * N), 1, False)
        assert k % 5000 or np.array_equal(fields, NJ.astype(np.int64) @ spins)  # fields stay exact
        s = spins.astype(float)
        E[k], m2[k] = -s @ NJ @ s / (2 * N), (s @ xi[0]) ** 2 / N**2
    for series, exact_all in ((E, E_all), (m2, m2_all)):
        bins = series.reshape(n_bins, -1).mean(axis=1)  # batch means absorb the autocorrelation
        err = bins.std(ddof=1) / math.sqrt(n_bins)
        assert abs(series.mean() - exact_all @ p) < 4.5 * err
    # negative control: a kernel run at the wrong temperature (β off by 30 %) is caught by the same test
    _, _, p_wrong = _boltzmann_moments(NJ, 1.3 / T)
    bins = E.reshape(n_bins, -1).mean(axis=1)
    assert abs(E.mean() - E_all @ p_wrong) > 4.5 * bins.std(ddof=1) / math.sqrt(n_bins)


def test_zero_temperature_dynamics_ends_at_fixed_point_and_lowers_energy():
    N, alpha = 300, 0.2
    xi, NJ = retrieval_problem(N, alpha, 5, 0, 0)
    state = init_retrieval(xi, NJ, 0.3, 5, 0, 0)
    s0 = state["spins"].astype(float)
    advance_retrieval(state, NJ, 0.0, 1000)
    s = state["spins"].astype(np.int64)
    assert np.array_equal(state["fields"], NJ.astype(np.int64) @ s)
    assert np.all(s * state["fields"] >= 0)  # every spin aligned with its field
    assert -s @ NJ @ s < -s0 @ NJ @ s0
    # negative control: the same check fails for the state after a single sweep of a fresh trial
    fresh = init_retrieval(xi, NJ, 0.3, 5, 0, 0)
    advance_retrieval(fresh, NJ, 0.0, 1)
    assert fresh["sweeps"][0] == 1 and np.any(fresh["spins"] * fresh["fields"] < 0)


def test_chunked_sweeps_resume_exactly():
    N, alpha, T = 200, 0.1, 0.4
    xi, NJ = retrieval_problem(N, alpha, 8, 2, 3)
    whole, parts = init_retrieval(xi, NJ, 0.1, 8, 2, 3), init_retrieval(xi, NJ, 0.1, 8, 2, 3)
    advance_retrieval(whole, NJ, T, 7)
    advance_retrieval(parts, NJ, T, 3)
    advance_retrieval(parts, NJ, T, 4)
    for key in whole:
        assert np.array_equal(whole[key], parts[key])


def test_retrieval_overlap_against_ags():
    res = retrieval_curve(500, [0.05, 0.3], 4, seed=21)
    assert res["alpha_c_theory"] == pytest.approx(0.138, abs=1e-3)
    assert res["overlap"][0] > res["overlap_theory"][0] - 0.01   # retrieval: m ≈ 1
    assert res["overlap_theory"][1] == 0.0 and res["overlap"][1] < 0.6  # far above α_c: lost
    # finite temperature: thermal Glauber overlap vs the AGS retrieval state (finite-size allowance 0.01)
    m = retrieval_trials(500, 0.05, 21, 7, range(10), T=0.4, sweeps=40)
    err = m.std(ddof=1) / math.sqrt(len(m))
    assert abs(m.mean() - retrieval_overlap(0.05, 0.4)) < 4.5 * err + 0.01
    # negative control: the same allowance rejects the T = 0 prediction
    assert abs(m.mean() - zero_temperature_overlap(0.05)) > 4.5 * err + 0.002


def test_temperature_grid_gives_two_dimensional_arrays():
    grid = retrieval_curve(100, [0.05, 0.1], 2, seed=3, T=[0.0, 0.5], sweeps=20)
    flat = retrieval_curve(100, [0.05, 0.1], 2, seed=3, T=0.0, sweeps=20)
    assert grid["overlap"].shape == grid["overlap_theory"].shape == (2, 2) and list(grid["T"]) == [0.0, 0.5]
    assert "T" not in flat and np.array_equal(grid["overlap"][0], flat["overlap"])  # row T = 0 is the same run
    assert grid["overlap_theory"][1, 1] == 0.0  # α = 0.1 is beyond the T = 0.5 spinodal (α_M ≈ 0.059)


def test_basin_shrinks_with_load():
    r = basin_radius(300, [0.03, 0.12], [0.0, 0.1, 0.2, 0.3, 0.4], 3, seed=4)
    assert r[0] >= 0.3 and r[1] < r[0]


@pytest.mark.parametrize("call, name", [
    (lambda: retrieval_problem(1, 0.1, 0, 0, 0), "N"),
    (lambda: retrieval_problem(10, 0.0, 0, 0, 0), "alpha"),
    (lambda: init_retrieval(*retrieval_problem(10, 0.1, 0, 0, 0), 1.5, 0, 0, 0), "noise"),
    (lambda: retrieval_trials(10, 0.1, 0, 0, range(1), T=-1.0), "T"),
    (lambda: retrieval_curve(10, [-0.1], 1, 0), "alpha"),
    (lambda: retrieval_overlap(0.1, -0.5), "T"),
    (lambda: retrieval_spinodal([0.95]), "T"),
    (lambda: global_retrieval_load(-0.1), "T"),
    (lambda: retrieval_curve(10, [0.1], 1, 0, T=[0.0, -1.0]), "T"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name
