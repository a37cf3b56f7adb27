"""Teacher–student perceptron: RS learning curves, their limits, and simulations (Hebb, Gibbs, centroid)."""
import math

import numpy as np
import pytest

from statmech_nn.errors import ParameterError
from statmech_nn.learning.teacher_student import (centroid_overlap, elliptical_slice_steps, error_from_overlap,
                                                  generalization_error_theory, gibbs_entropy, gibbs_overlap,
                                                  gibbs_temperature_state, gibbs_trials, hebb_overlap, hebb_trials,
                                                  learning_curve, trial_data)
from statmech_nn.rng import seed_sequence, xoshiro256_state


def test_learning_curve_limits():
    for rule in ("gibbs", "bayes", "hebb"):
        assert generalization_error_theory([1e-5], rule)[0] == pytest.approx(0.5, abs=2e-3)
    a = 2000.0
    assert a * generalization_error_theory([a], "gibbs")[0] == pytest.approx(0.6245, abs=1e-3)
    assert a * generalization_error_theory([a], "bayes")[0] == pytest.approx(0.4417, abs=1e-3)
    # Hebb decays as 1/√(2πα), not 1/α
    assert math.sqrt(2 * math.pi * a) * generalization_error_theory([a], "hebb")[0] == pytest.approx(1.0, abs=2e-3)
    eps = [generalization_error_theory([1.0], r)[0] for r in ("bayes", "gibbs")]
    assert eps[0] < eps[1]


def test_gibbs_overlap_maximises_the_rs_entropy():
    for alpha in (0.5, 2.0, 8.0):
        R, h = gibbs_overlap(alpha), 1e-5
        slope = (gibbs_entropy(R + h, alpha) - gibbs_entropy(R - h, alpha)) / (2 * h)
        assert abs(slope) < 1e-5
        assert gibbs_entropy(R, alpha) > max(gibbs_entropy(R * 0.9, alpha), gibbs_entropy(R + 0.5 * (1 - R), alpha))


def test_centroid_overlap_interpolates_gibbs_and_bayes():
    R = gibbs_overlap(1.5)
    assert centroid_overlap(1.5, 1) == pytest.approx(R)
    assert centroid_overlap(1.5, 10**9) == pytest.approx(math.sqrt(R), abs=1e-8)


def test_hebb_simulation_matches_closed_form():
    N, alpha = 400, 1.0
    eps = hebb_trials(N, alpha, 17, 0, range(30))
    err = eps.std(ddof=1) / math.sqrt(len(eps))
    assert abs(eps.mean() - error_from_overlap(hebb_overlap(alpha))) < 4.5 * err + 0.003
    # negative control: a wrong closed form R = √(α/(1+α)) is rejected by the same tolerance
    assert abs(eps.mean() - error_from_overlap(math.sqrt(alpha / (1 + alpha)))) > 4.5 * err + 0.003


def test_elliptical_slice_sampler_is_uniform_on_a_two_dimensional_version_space():
    B, X, y = trial_data(2, 2.5, 31, 0, 0)
    G = np.ascontiguousarray(y[:, None] * X)
    phi_b = math.atan2(B[1], B[0])  # angles are measured from the teacher, which is inside the version space
    grid = np.linspace(-math.pi / 2, math.pi / 2, 400001)
    inside = np.all(G @ np.vstack([np.cos(grid + phi_b), np.sin(grid + phi_b)]) > 0, axis=0)
    lo, hi = grid[inside].min(), grid[inside].max()
    assert np.all(inside[(grid >= lo) & (grid <= hi)])  # one arc
    mid, width = (lo + hi) / 2, hi - lo
    J = np.array([math.cos(mid + phi_b), math.sin(mid + phi_b)])
    fields, rng = G @ J, xoshiro256_state(seed_sequence(4, 0))
    n, n_bins = 40000, 40
    u = np.empty(n)  # (angle − mid)/width, uniform on (−½, ½) if the sampler is right
    for k in range(n):
        elliptical_slice_steps(G, J, fields, rng, np.inf, 1)
        u[k] = (math.remainder(math.atan2(J[1], J[0]) - phi_b, 2 * math.pi) - mid) / width
    assert np.all(np.abs(u) <= 0.5)
    for series, exact in ((u, 0.0), (u**2, 1 / 12)):
        bins = series.reshape(n_bins, -1).mean(axis=1)
        assert abs(series.mean() - exact) < 4.5 * bins.std(ddof=1) / math.sqrt(n_bins)
    # negative control: the same variance test rejects a density ∝ (1 − 2|u|) (mass pulled towards the centre)
    bins = (u**2).reshape(n_bins, -1).mean(axis=1)
    assert abs((u**2).mean() - 1 / 24) > 4.5 * bins.std(ddof=1) / math.sqrt(n_bins)


def test_chunked_sampling_resumes_exactly():
    _, X, y = trial_data(20, 1.0, 2, 0, 0)
    G = np.ascontiguousarray(y[:, None] * X)
    J1 = np.linalg.lstsq(G, np.ones(len(G)), rcond=None)[0]
    J2 = J1.copy()
    f1, f2 = G @ J1, G @ J1
    r1, r2 = xoshiro256_state(seed_sequence(1)), xoshiro256_state(seed_sequence(1))
    elliptical_slice_steps(G, J1, f1, r1, np.inf, 30)
    elliptical_slice_steps(G, J2, f2, r2, np.inf, 12)
    elliptical_slice_steps(G, J2, f2, r2, np.inf, 18)
    assert np.array_equal(J1, J2) and np.array_equal(r1, r2)
    assert np.all(G @ J1 > 0)  # still in the version space


def test_gibbs_and_centroid_students_match_rs_theory():
    N, alpha, K = 40, 2.0, 4
    gibbs, centroid = gibbs_trials(N, alpha, 5, 0, range(20), n_students=K)
    allowance = 0.015  # finite-N shift (measured: ≈ 0.007 below the N = ∞ curve at N = 50)
    for sim, theory in ((gibbs, generalization_error_theory([alpha], "gibbs")[0]),
                        (centroid, generalization_error_theory([alpha], "bayes", n_students=K)[0])):
        err = sim.std(ddof=1) / math.sqrt(len(sim))
        assert abs(sim.mean() - theory) < 4.5 * err + allowance
    # negative control: the Gibbs students are not mistaken for the Bayes-optimal student
    err = gibbs.std(ddof=1) / math.sqrt(len(gibbs))
    assert abs(gibbs.mean() - generalization_error_theory([alpha], "bayes")[0]) > 4.5 * err + allowance


def test_learning_curve_arrays_and_finite_temperature():
    res = learning_curve(60, [0.5, 3.0], 4, seed=3, rule="hebb")
    assert set(res) == {"alpha", "generalization_error", "generalization_error_error",
                        "generalization_error_theory"}
    assert res["generalization_error"][0] > res["generalization_error"][1]
    hot = learning_curve(30, [3.0], 12, seed=8, rule="gibbs", n_students=2, T=1.0)
    sim, err, theory = (hot[k][0] for k in ("generalization_error", "generalization_error_error",
                                            "generalization_error_theory"))
    assert abs(sim - theory) < 4.5 * err + 0.015  # finite-N allowance as for T = 0
    # negative control: the zero-temperature curve is rejected by the same tolerance
    assert abs(sim - generalization_error_theory([3.0], "gibbs")[0]) > 4.5 * err + 0.015


def test_finite_temperature_theory_reduces_to_gibbs_and_worsens_with_t():
    q, R = gibbs_temperature_state(3.0, 0.02)
    assert q == pytest.approx(R, abs=1e-6) and R == pytest.approx(gibbs_overlap(3.0), abs=1e-6)
    eps = generalization_error_theory([3.0], "gibbs", T=0.3)[0], \
        generalization_error_theory([3.0], "gibbs", T=1.0)[0]
    assert generalization_error_theory([3.0], "gibbs")[0] < eps[0] < eps[1] < 0.5


@pytest.mark.parametrize("call, name", [
    (lambda: generalization_error_theory([0.0], "gibbs"), "alpha"),
    (lambda: generalization_error_theory([1.0], "perceptron"), "rule"),
    (lambda: trial_data(1, 1.0, 0, 0, 0), "N"),
    (lambda: gibbs_trials(10, 1.0, 0, 0, range(1), T=-0.1), "T"),
    (lambda: centroid_overlap(1.0, 0), "n_students"),
    (lambda: hebb_overlap(-1.0), "alpha"),
    (lambda: generalization_error_theory([1.0], "bayes", T=0.5), "T"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.name == name


def test_version_space_term_against_adaptive_quadrature_and_its_r_to_one_tail():
    from scipy.integrate import quad
    from scipy.special import log_ndtr

    from statmech_nn.learning.teacher_student import version_space_energetic
    for R in (0.3, 0.5, 0.9, 0.99):
        c = math.sqrt(R / (1 - R))
        f = lambda t: math.exp(-t * t / 2 + log_ndtr(c * t)) * log_ndtr(c * t) / math.sqrt(2 * math.pi)  # noqa: E731
        assert version_space_energetic(R, 1.0) == pytest.approx(2 * quad(f, -12, 12, points=[0], limit=400)[0],
                                                                rel=1e-9)
    # as R → 1 the term vanishes like 1/c = √((1−R)/R): 2φ(0)/c ∫du H(−u) ln H(−u)
    tail = [version_space_energetic(1 - e, 1.0) / math.sqrt(e) for e in (1e-8, 1e-10)]
    assert tail[0] == pytest.approx(tail[1], rel=1e-3) and tail[0] < 0
