"""The capacity, hopfield and teacher-student studies: their numbers are the library's trial functions' (same
streams, any batching), the faster batched kernels reproduce the per-trial ones exactly, the summaries read the
curves right, and bad input is refused through the command line."""
from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from statmech_nn.learning import batched, capacity, hopfield, ising_perceptron, teacher_student
from statmech_nn.sims.cli import main
from statmech_nn.study import get_study, run_study
from statmech_nn.summaries.learning import crossing

SEED = 2024


def results(study: str, **values):
    outcome = run_study(get_study(study), {**values, "seed": SEED}, None)
    assert outcome.status == "complete"
    return outcome.run.results


def test_capacity_study_is_the_library_curve():
    alpha = (0.5, 1.5, 2.0, 3.0)
    got = results("capacity", N=14, alpha=alpha, trials=23)  # 23 trials: batches of 10, 10 and 3
    want = capacity.capacity_curve(14, alpha, 23, SEED)
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_capacity_with_ising_weights_is_the_gray_code_enumeration():
    alpha = (0.5, 0.8, 1.1)
    got = results("capacity", N=11, alpha=alpha, weights="ising", trials=12)
    want = ising_perceptron.storable_fraction(11, alpha, 12, SEED)
    for key in ("separable_fraction", "separable_fraction_error", "alpha_c_theory"):
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)


def test_hopfield_study_is_the_library_curve():
    alpha = (0.05, 0.15)
    got = results("hopfield", N=80, alpha=alpha, T=0.3, noise=0.1, sweeps=7, trials=3)
    want = hopfield.retrieval_curve(80, alpha, 3, SEED, T=0.3, noise=0.1, sweeps=7)
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


@pytest.mark.parametrize("rule", ["gibbs", "bayes", "hebb"])
def test_teacher_student_study_is_the_library_curve(rule):
    alpha = (0.5, 2.0)
    got = results("teacher-student", rule=rule, N=12, alpha=alpha, trials=3, students=2, steps_per_n=4)
    want = teacher_student.learning_curve(12, alpha, 3, SEED, rule, n_students=2, steps=48)
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_batched_gibbs_students_are_bit_identical_for_any_thread_count():
    for T in (0.0, 0.4):
        want = teacher_student.gibbs_trials(16, 1.5, 7, 3, range(3), n_students=3, T=T, steps=150)
        threads = numba.get_num_threads()
        try:
            for n in sorted({1, threads}):
                numba.set_num_threads(n)
                got = batched.gibbs_batch(16, 1.5, 7, 3, range(3), n_students=3, T=T, steps=150)
                for a, b in zip(got, want):
                    np.testing.assert_array_equal(a, b)
        finally:
            numba.set_num_threads(threads)


def test_pruned_enumeration_counts_what_the_gray_code_walk_counts():
    rng = np.random.default_rng(5)
    for N, P in ((3, 2), (9, 6), (13, 11), (15, 8), (15, 20)):
        for _ in range(3):
            G = (1 - 2 * rng.integers(0, 2, size=(P, N))).astype(np.int8)
            ref = (1 - 2 * rng.integers(0, 2, size=N)).astype(np.int8)
            count, _, sum_eps = ising_perceptron.enumerate_solutions(G, ref, False)
            hist = batched.solution_histogram(G, ref)
            assert hist.sum() == count
            if count:
                assert batched.histogram_error(hist) == pytest.approx(sum_eps / count, rel=1e-12, abs=1e-15)
            assert (batched.solution_histogram(G, ref, stop_at_first=True).sum() > 0) == (count > 0)
    # the teacher-student trials agree too (the unique-solution flags exactly)
    eps, unique = ising_perceptron.ising_gibbs_trials(15, 1.2, 1, 2, range(4))
    eps_b, unique_b = batched.ising_gibbs_batch(15, 1.2, 1, 2, range(4))
    np.testing.assert_allclose(eps_b, eps, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(unique_b, unique)


def test_crossing_interpolates_and_propagates_errors():
    alpha = np.array([1.0, 2.0, 3.0, 4.0])
    est = crossing(alpha, [1.0, 0.8, 0.4, 0.0], [0.0, 0.02, 0.02, 0.0], 0.5, 10)
    assert est.value == pytest.approx(2.75)
    # x = 2 + (0.8 − 0.5)/(0.8 − 0.4): ∂x/∂y0 = 0.1/0.16, ∂x/∂y1 = 0.3/0.16
    assert est.error == pytest.approx(0.02 * math.hypot(0.1, 0.3) / 0.16)
    assert math.isnan(crossing(alpha, [1.0, 0.9, 0.8, 0.7], [0.01] * 4, 0.5, 10).value)


def test_teacher_student_ising_summary_brackets_the_transition():
    r = results("teacher-student", weights="ising", N=9, alpha=(0.4, 1.0, 2.5, 4.0), trials=16)
    assert r["unique_fraction"][0] == 0.0 and r["unique_fraction"][-1] == 1.0
    assert r["alpha_transition_theory"] == pytest.approx(1.245, abs=1e-3)
    assert np.all(np.diff(r["generalization_error_theory"]) <= 0)


BAD = [
    (["capacity", "--alpha", "0,1"], "'alpha'"),
    (["capacity", "--alpha=-1:2:3"], "'alpha'"),
    (["capacity", "--N", "1"], "'N'"),
    (["capacity", "--kappa", "-0.5"], "'kappa'"),
    (["capacity", "--weights", "ising", "--N", "12"], "'N'"),
    (["capacity", "--weights", "ising", "--N", "33"], "'N'"),
    (["capacity", "--weights", "ising", "--N", "11", "--kappa", "0.5"], "'kappa'"),
    (["hopfield", "--alpha", "0"], "'alpha'"),
    (["hopfield", "--N", "1"], "'N'"),
    (["hopfield", "--T", "-0.1"], "'T'"),
    (["hopfield", "--noise", "1.5"], "'noise'"),
    (["teacher-student", "--alpha", "0.5,-2"], "'alpha'"),
    (["teacher-student", "--N", "0"], "'N'"),
    (["teacher-student", "--T", "-1"], "'T'"),
    (["teacher-student", "--rule", "hebb", "--T", "0.5"], "'T'"),
    (["teacher-student", "--weights", "ising", "--N", "30"], "'N'"),
    (["teacher-student", "--weights", "ising", "--N", "11", "--rule", "bayes"], "'rule'"),
    (["teacher-student", "--weights", "ising", "--N", "11", "--T", "0.2"], "'T'"),
]


@pytest.mark.parametrize("args,needle", BAD)
def test_bad_input_is_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "run.h5"
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
