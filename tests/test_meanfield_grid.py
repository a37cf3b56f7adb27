"""The tabulated q* grid solver (meanfield.qtable) against the per-point solver of meanfield.fixed_points."""
import numba
import numpy as np
import pytest

from statmech_nn.meanfield import activation, fixed_point, phase_diagram, sigma_w2_critical
from statmech_nn.meanfield.activations import moments1
from statmech_nn.meanfield.qtable import moment_table, q_grid, table_moments

KEYS = ("q_star", "chi1", "chi2", "dV")


def _table_error(name, coef, qs):
    """Largest relative error of E[φ²], E[φ'²] and of E[φ''²], dV/dq measured against E[φ'²] (dV/dq = E[φ'²] +
    E[φφ''] cancels at large q, where the quadrature itself is only accurate to ~1e-16 E[φ'²])."""
    a = activation(name)
    worst = 0.0
    for q in qs:
        e = np.array(moments1(a.kernel, a.phi, a.dphi, a.d2phi, q))
        t = np.array(table_moments(a.kernel, a.phi, a.dphi, a.d2phi, coef, q))
        scale = np.array([abs(e[0]), e[1], max(abs(e[2]), e[1]), max(abs(e[3]), e[1])])
        worst = max(worst, np.max(np.abs(t - e) / scale))
    return worst


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_table_matches_quadrature_from_tiny_to_huge_q(name):
    qs = np.exp(np.random.default_rng(3).uniform(np.log(1e-13), np.log(1e17), 400))
    coef = moment_table(name)
    assert _table_error(name, coef, qs) < 1e-12
    low_order = coef.copy()
    low_order[..., 12:] = 0.0  # negative control: degree 11 per octave is visibly worse
    assert _table_error(name, low_order, qs) > 1e-10


def _points():
    """(name, σ_w², σ_b²) axes: random, near the critical line χ_1 = 1, and at large q (up to ~1e6)."""
    rng = np.random.default_rng(7)
    sb2 = np.sort(np.concatenate([[0.0, 1e-9, 1e-3], rng.uniform(0, 16, 5), [300.0, 1e6]]))
    crit = [sigma_w2_critical("tanh", b) for b in (0.0, 1e-3, 0.5)]
    sw2 = np.sort(np.concatenate([rng.uniform(0.5, 25, 6), [c * (1 + d) for c in crit for d in (-1e-7, 1e-9)],
                                  [1e3, 1e4]]))
    return sw2, sb2


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf", "relu"])
def test_grid_matches_per_point_solver_and_is_thread_independent(name):
    sw2, sb2 = _points()
    numba.set_num_threads(1)
    one = q_grid(name, sw2, sb2)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    grid = q_grid(name, sw2, sb2)
    for key in KEYS:
        assert np.array_equal(one[key], grid[key], equal_nan=True), key
    worst = 0.0
    for i, w in enumerate(sw2):
        for j, b in enumerate(sb2):
            fp = fixed_point(name, w, b)
            for key in KEYS:
                ref, got = getattr(fp, key), grid[key][i, j]
                if not np.isfinite(ref):
                    assert got == ref or (np.isnan(ref) and np.isnan(got)), (key, w, b)
                    continue
                scale = max(abs(ref), fp.chi1) if key in ("chi2", "dV") else abs(ref)  # dV = χ_1 + σ_w² E[φφ'']
                if key == "q_star" and fp.dV != 1.0:
                    # the root of σ_w² V(q) + σ_b² − q has condition number 1/|1 − V'(q*)| (→ ∞ at σ_b² = 0,
                    # σ_w² → 1): both solvers' moments are accurate to ~1e-13 there, not better
                    scale /= min(1.0, 1e3 * abs(1.0 - fp.dV))
                worst = max(worst, abs(got - ref) / scale if scale > 0 else abs(got))
    assert worst <= 1e-10, worst


def test_corrupted_table_is_caught():
    """Negative control: a table off by 1e-9 relative moves q* by more than the 1e-10 the tests allow."""
    sw2, sb2 = _points()
    coef = moment_table("tanh") * (1 + 1e-9)
    bad = q_grid("tanh", sw2, sb2, table=coef)
    good = q_grid("tanh", sw2, sb2)
    ok = np.isfinite(good["q_star"]) & (good["q_star"] > 0)
    assert np.max(np.abs(bad["q_star"][ok] / good["q_star"][ok] - 1)) > 1e-10


def test_phase_diagram_without_correlations_uses_the_table_and_agrees_with_the_full_solver():
    sw2, sb2 = np.linspace(0.8, 4.0, 9), np.array([0.0, 0.05, 0.5, 2.0])
    fast = phase_diagram("tanh", sw2, sb2, correlations=False, critical_line=False)
    full = phase_diagram("tanh", sw2, sb2, critical_line=False)
    assert "c_star" not in fast
    assert all(np.array_equal(fast[k], v, equal_nan=True) for k, v in q_grid("tanh", sw2, sb2).items())
    for key in KEYS + ("xi_q", "xi_grad"):
        np.testing.assert_allclose(fast[key], full[key], rtol=1e-10, atol=0, err_msg=key)
