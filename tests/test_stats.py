"""Tests for the time-series error analysis (statmech_nn.stats)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.signal import lfilter

from statmech_nn import stats


def ar1(rho: float, n: int, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
    """Stationary AR(1): x_t = ρ x_{t-1} + sqrt(1-ρ²) ξ_t, unit variance, ρ(t) = ρ^t."""
    shape = (n,) if size is None else (size, n)
    xi = rng.standard_normal(shape)
    x0 = rng.standard_normal(shape[:-1] + (1,))  # x_{-1} drawn from the stationary law
    y, _ = lfilter([math.sqrt(1.0 - rho * rho)], [1.0, -rho], xi, axis=-1, zi=rho * x0)
    return y


def tau_exact(rho: float) -> float:
    return (1.0 + rho) / (2.0 * (1.0 - rho))


# -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_tau_int_ar1(rho):
    n = 2**17
    x = ar1(rho, n, np.random.default_rng(1234 + int(10 * rho)))
    tau, w = stats.tau_int(x)
    err = stats.tau_int_error(tau, w, n)
    assert w >= 5.0 * tau  # the Sokal window condition holds
    assert abs(tau - tau_exact(rho)) < 4.0 * err, (tau, tau_exact(rho), err)


def test_autocorrelation_ar1():
    x = ar1(0.8, 2**16, np.random.default_rng(7))
    r = stats.autocorrelation(x)
    assert r.shape == x.shape and r[0] == 1.0
    t = np.arange(6)
    np.testing.assert_allclose(r[:6], 0.8**t, atol=0.03)


def test_mean_coverage_and_negative_control():
    """Error bars are honest: |mean| < error in ~68.3% of independent AR(1) runs (true mean 0)."""
    rho, n, runs = 0.9, 2**14, 400
    xs = ar1(rho, n, np.random.default_rng(2024), size=runs)
    ests = [stats.mean(x) for x in xs]
    vals = np.array([e.value for e in ests])
    errs = np.array([e.error for e in ests])
    coverage = np.mean(np.abs(vals) < errs)
    assert abs(coverage - 0.683) < 0.06, coverage
    # Negative control: ignoring the autocorrelation (σ/√n) under-covers badly, so the check above can fail.
    naive = xs.std(axis=1, ddof=1) / math.sqrt(n)
    naive_coverage = np.mean(np.abs(vals) < naive)
    assert naive_coverage < 0.45, naive_coverage


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_jackknife_identity_matches_mean(rho):
    x = ar1(rho, 2**16, np.random.default_rng(99 + int(10 * rho))) + 3.0
    jk = stats.jackknife(lambda a: a, x)
    m = stats.mean(x)
    assert jk.value == pytest.approx(m.value, rel=1e-12)
    assert 0.7 < jk.error / m.error < 1.3, (jk.error, m.error)
    assert jk.tau == pytest.approx(m.tau) and jk.n == x.size


def test_jackknife_nonlinear_against_replicas():
    """Specific-heat-type variance: reported error ≈ spread over independent replicas (within 25%)."""
    rho, n, runs, beta, n_spins = 0.9, 2**13, 300, 0.44, 64
    e = -1.5 + 0.05 * ar1(rho, n, np.random.default_rng(31), size=runs)
    ests = [stats.specific_heat(row, beta, n_spins) for row in e]
    vals = np.array([c.value for c in ests])
    spread = vals.std(ddof=1)
    reported = np.mean([c.error for c in ests])
    assert abs(reported / spread - 1.0) < 0.25, (reported, spread)
    # and the estimator itself is right: C = β² N σ² with σ = 0.05
    assert vals.mean() == pytest.approx(beta**2 * n_spins * 0.05**2, rel=0.02)


def test_jackknife_block_rules():
    x = np.random.default_rng(5).standard_normal(10_000)
    # explicit block: tau not used -> nan; tail that does not fill a block is dropped silently
    est = stats.jackknife(lambda a: a, x, block=3)
    assert math.isnan(est.tau) and math.isfinite(est.error) and est.value == pytest.approx(x.mean())
    # fewer than 2 blocks -> nan error, value still the full-sample value
    one = stats.jackknife(lambda a: a * a, x[:10], block=6)
    assert math.isnan(one.error) and one.value == pytest.approx(x[:10].mean() ** 2)
    with pytest.raises(ValueError):
        stats.jackknife(lambda a, b: a + b, x, x[:-1])


def test_susceptibility_uses_abs_m():
    m = np.random.default_rng(3).choice([-0.5, 0.5], size=4096)  # |m| constant -> χ = 0
    chi = stats.susceptibility(m, beta=0.4, n_spins=16)
    assert chi.value == pytest.approx(0.0, abs=1e-15) and chi.error == pytest.approx(0.0, abs=1e-15)
    g = np.random.default_rng(4).standard_normal(2**15)
    chi = stats.susceptibility(g, beta=0.5, n_spins=4)
    assert chi.value == pytest.approx(0.5 * 4 * (1 - 2 / np.pi), abs=5 * chi.error)


def test_binder_limits():
    g = np.random.default_rng(11).standard_normal(2**16)
    u = stats.binder(g)
    assert abs(u.value) < 4 * u.error + 1e-3 and u.error < 0.02
    pm = np.random.default_rng(12).choice([-0.8, 0.8], size=2**12)
    u = stats.binder(pm)
    assert u.value == pytest.approx(2.0 / 3.0, abs=1e-12) and u.error == pytest.approx(0.0, abs=1e-12)


def test_binning_plateau_and_effective_samples():
    x = ar1(0.9, 2**16, np.random.default_rng(21))
    b = stats.binning_error(x)
    assert b[0] == pytest.approx(x.std(ddof=1) / math.sqrt(x.size))
    assert len(b) == int(math.log2(x.size / 32)) + 1
    assert b[-3:].mean() == pytest.approx(stats.mean(x).error, rel=0.25)
    iid = np.random.default_rng(22).standard_normal(2**14)
    assert stats.effective_samples(iid) == pytest.approx(iid.size, rel=0.1)
    assert stats.effective_samples(x) == pytest.approx(x.size / (2 * tau_exact(0.9)), rel=0.2)


def test_constant_series_no_warnings():
    x = np.full(1000, 0.7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = stats.autocorrelation(x)
        assert r[0] == 1.0 and not np.any(r[1:])
        assert stats.tau_int(x) == (0.5, 0)
        m = stats.mean(x)
        assert m.value == pytest.approx(0.7) and m.error == 0.0 and m.tau == 0.5
        jk = stats.jackknife(lambda a: a, x)
        assert jk.value == pytest.approx(0.7) and jk.error == pytest.approx(0.0, abs=1e-15)
        assert not np.any(stats.binning_error(x))
        c = stats.specific_heat(x, 0.5, 16)
        assert c.value == 0.0 and c.error == 0.0
        assert stats.effective_samples(x) == 1000


@pytest.mark.parametrize(
    "value, error, text",
    [
        (0.74512, 0.00123, "0.7451 ± 0.0012"),
        (12.3456, 0.5, "12.35 ± 0.50"),
        (-0.00003, 0.0012, "0.0000 ± 0.0012"),
        (12345.6, 78.0, "12346 ± 78"),
        (1.5, 0.0, "1.5 ± 0"),
        (1.5, math.nan, "1.5 ± nan"),
    ],
)
def test_estimate_str(value, error, text):
    assert str(stats.Estimate(value, error, 1.0, 100)) == text


def test_estimate_to_dict():
    est = stats.mean(np.arange(10.0))
    d = est.to_dict()
    assert set(d) == {"value", "error", "tau", "n"} and d["n"] == 10
    assert all(type(d[k]) is float for k in ("value", "error", "tau"))
    with pytest.raises(Exception):
        est.value = 1.0  # frozen


def test_anticorrelated_series_gives_positive_conservative_tau():
    """A Wolff chain at low T flips the sign of m every step (ρ(1) ≈ −0.75). Sokal's window on odd W would
    give τ < 0 and a NaN error; even windows give a positive τ above the exact (1+ρ)/(2(1−ρ)) = 0.071."""
    x = ar1(-0.75, 2**15, np.random.default_rng(5))
    tau, w = stats.tau_int(x)
    assert tau_exact(-0.75) < tau < 0.5 and w % 2 == 0
    est = stats.mean(x)
    assert math.isfinite(est.error) and est.error > 0
