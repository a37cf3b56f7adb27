"""The tabulated c*, χ_c grid solver (meanfield.pair_table, meanfield.ctable) against the per-point solver."""
import numba
import numpy as np
import pytest

from statmech_nn.meanfield import activation, fixed_point, phase_diagram, sigma_w2_critical
from statmech_nn.meanfield.activations import moments2
from statmech_nn.meanfield.ctable import build_pair_table, c_grid, pair_table
from statmech_nn.meanfield.pair_table import DEGREE, Q_CEIL, table_pair
from statmech_nn.meanfield.qtable import q_grid

TOL = 1e-11   # c*, χ_c, ξ_c against the per-point solver, relative, away from the critical line (see _excess)
EPS = 1e-13   # accuracy of the pair moments (quadrature, closed forms, table) near it


def _table_error(name, table, rng):
    """Largest relative error of both pair moments over random (q, c), c up to 1 − 1e-9, q over the whole table."""
    a = activation(name)
    q = np.exp(rng.uniform(np.log(2e-2), np.log(Q_CEIL), 120))
    c = np.concatenate([rng.uniform(0, 1, 60), 1 - np.exp(rng.uniform(np.log(1e-9), 0, 60))])
    worst = 0.0
    for qi, ci in zip(q, c):
        exact = np.array(moments2(a.kernel, a.phi, a.dphi, qi, ci))
        got = np.array(table_pair(a.kernel, a.phi, a.dphi, *table, qi, ci))
        worst = max(worst, np.max(np.abs(got - exact) / np.abs(exact)))
    return worst


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_pair_table_matches_quadrature(name):
    rng = np.random.default_rng(11)
    table = pair_table(name)
    assert _table_error(name, table, rng) < 1e-12
    coarse = table[0].copy()
    coarse[:, :, DEGREE // 2:, :] = 0.0  # negative control: half the degree in b is visibly worse
    assert _table_error(name, (coarse, table[1]), np.random.default_rng(11)) > 1e-10


def test_closed_forms_have_no_table():
    for name in ("erf", "relu", "hard-tanh", "linear"):
        assert build_pair_table(name)[0].shape[0] == 0


def _points(name):
    """σ_w² (ascending) × σ_b²: random in both phases, 1e-3 either side of the critical line and 1e-6 above it (at
    σ_b² = 0, 0.5, 9), and q* beyond the table (Q_CEIL)."""
    rng = np.random.default_rng(5)
    lines = (0.0, 0.5, 9.0)
    sb2 = np.sort(np.concatenate([lines, [1e-3], rng.uniform(0, 16, 2), [150.0]]))
    crit = [sigma_w2_critical(name, b) for b in lines]
    sw2 = np.sort(np.concatenate([rng.uniform(0.5, 30, 5), [c * (1 + d) for c in crit for d in (-1e-3, 1e-3, 1e-6)],
                                  [400.0]]))
    return sw2, sb2


def _excess(name, sw2, sb2, grid):
    """Largest |grid − per-point solver| / allowed over the grid (≤ 1: the grid passes). Allowed: TOL (relative,
    absolute below 1) plus the moment error EPS of both solvers propagated through the condition numbers: c* is the
    root of C(c) − c, with condition number 1/|1 − χ_c|; χ_c(c) = σ_w² E[φ'φ'] moves with c* at the rate given by
    the exact moments between the two c* (it diverges at c → 1 for kinked φ); 1/ξ_c = −ln χ_c moves by Δχ_c/χ_c, so
    ξ_c itself is held to relative TOL where |ln χ_c| ≫ the allowed Δχ_c, i.e. away from the line."""
    a = activation(name)
    worst = 0.0
    for i, w in enumerate(sw2):
        for j, b in enumerate(sb2):
            fp = fixed_point(name, w, b)
            got = {key: grid[key][i, j] for key in ("c_star", "chi_c", "xi_c")}
            if not np.isfinite(fp.chi_c):
                if not all(np.isnan(got[key]) and np.isnan(getattr(fp, key)) for key in got):
                    return np.inf
                continue
            allowed_c = TOL + EPS / abs(1.0 - fp.chi_c)
            rate = 0.0
            if got["c_star"] != fp.c_star:
                d = [moments2(a.kernel, a.phi, a.dphi, fp.q_star, c)[1] for c in (got["c_star"], fp.c_star)]
                rate = w * abs(d[0] - d[1]) / abs(got["c_star"] - fp.c_star)
            allowed_chi = TOL + rate * allowed_c
            errors = (abs(got["c_star"] - fp.c_star) / allowed_c, abs(got["chi_c"] - fp.chi_c) / allowed_chi,
                      abs(1 / got["xi_c"] - 1 / fp.xi_c) * fp.chi_c / allowed_chi)  # 1/ξ_c = −ln χ_c
            worst = max(worst, *errors)
    return worst


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf", "hard-tanh", "relu"])
def test_grid_matches_per_point_solver_and_is_thread_independent(name):
    sw2, sb2 = _points(name)
    numba.set_num_threads(1)
    one = phase_diagram(name, sw2, sb2, critical_line=False)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    grid = phase_diagram(name, sw2, sb2, critical_line=False)
    for key in ("c_star", "chi_c", "xi_c"):
        assert np.array_equal(one[key], grid[key], equal_nan=True), key
    chaotic = np.sum((grid["chi1"] > 1) & np.isfinite(grid["q_star"]))
    assert chaotic >= 10 or activation(name).homogeneous_slope is not None  # ReLU: chaos means q* = ∞
    assert _excess(name, sw2, sb2, grid) <= 1.0


@pytest.mark.parametrize("damage", ["coarse", "scaled"])
def test_damaged_table_fails_the_comparison(damage):
    """Negative controls: the pair table at half its degree in b, or scaled by 1 + 1e-10, fails the test above."""
    sw2, sb2 = _points("tanh")
    g = q_grid("tanh", sw2, sb2)
    coef, cells = pair_table("tanh")
    if damage == "coarse":
        coef = coef.copy()
        coef[:, :, DEGREE // 2:, :] = 0.0
    else:
        coef = coef * (1 + 1e-10)
    assert _excess("tanh", sw2, sb2, c_grid("tanh", sw2, sb2, g["q_star"], g["chi1"], table=(coef, cells))) > 1.0


def test_table_is_thread_independent():
    numba.set_num_threads(1)
    one = build_pair_table("sigmoid")
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert all(np.array_equal(x, y) for x, y in zip(one, build_pair_table("sigmoid")))
