"""Parallel tempering of SK/EA against exact enumeration (N = 10), and its reproducibility.

Statistical tests use many independent replica sets, so the samples (one per set, after equilibration) are
independent and Pearson's χ² has its textbook law; every test's threshold is its 1 − 1e-4 quantile."""
import numba
import numpy as np
import pytest
from scipy import stats

from statmech_nn.errors import ParameterError
from statmech_nn.spinglass.ea import ea_model
from statmech_nn.spinglass.enumeration import all_energies
from statmech_nn.spinglass.sk import sk_model
from statmech_nn.spinglass.tempering import (adapted_ladder, advance, configurations_at, geometric_ladder,
                                             init_tempering, swap_acceptance, up_fraction)

N, SETS, BURN_IN = 10, 2000, 200
LADDER = geometric_ladder(0.35, 2.0, 5)


@pytest.fixture(scope="module")
def run():
    model = sk_model(N, 31)
    state = init_tempering(model, LADDER, 32, n_sets=SETS)
    advance(model, state, BURN_IN)
    return model, state, all_energies(model)


def _boltzmann(e, t):
    w = np.exp(-(e - e.min()) / t)
    return w / w.sum()


def _chi2(samples, values, probs, n_bins=10):
    """Pearson χ² of ``samples`` against the discrete law (values, probs) in ~equal-probability bins of value
    (adjacent bins merged until each expects ≥ 5 counts), and the 1 − 1e-4 quantile of its law."""
    order = np.argsort(values, kind="stable")
    v, p = values[order], probs[order]
    cuts = np.unique(v[np.searchsorted(np.cumsum(p), np.arange(1, n_bins) / n_bins)])
    edges = [-np.inf]
    for cut in cuts[:-1] if cuts[-1] == v[-1] else cuts:
        if np.sum(p[(v > edges[-1]) & (v <= cut + 1e-9)]) * samples.size >= 5:
            edges.append(cut + 1e-9)
    if np.sum(p[v > edges[-1]]) * samples.size < 5:
        edges.pop()
    bins = np.array(edges + [np.inf])
    expected = np.histogram(v, bins, weights=p)[0] * samples.size
    observed = np.histogram(samples, bins)[0]
    chi2 = np.sum((observed - expected) ** 2 / expected)
    return chi2, stats.chi2.ppf(1 - 1e-4, expected.size - 1)


@pytest.mark.parametrize("t", [0, 2])
def test_energy_distribution_matches_enumeration(run, t):
    """And the same samples are rejected against the law at 1.15 T (negative control)."""
    model, state, e = run
    samples = state["energy"][np.arange(SETS), state["replica"][:, t]]
    chi2, limit = _chi2(samples, e, _boltzmann(e, LADDER[t]))
    assert chi2 < limit
    wrong, _ = _chi2(samples, e, _boltzmann(e, 1.15 * LADDER[t]))
    assert wrong > limit


def test_unequilibrated_replicas_are_rejected():
    """Negative control: the random start (no sweeps) fails the same χ² test."""
    model = sk_model(N, 31)
    state = init_tempering(model, LADDER, 33, n_sets=SETS)
    e = all_energies(model)
    chi2, limit = _chi2(state["energy"][:, 0], e, _boltzmann(e, LADDER[0]))
    assert chi2 > limit


def test_exchanges_that_ignore_the_acceptance_rule_are_rejected():
    """Negative control: after every sweep the even pairs also exchange unconditionally (a PT whose swaps ignore
    the Metropolis rule); its T_0 energies fail the χ² test that the correct run passes."""
    model = sk_model(N, 31)
    state = init_tempering(model, LADDER, 34, n_sets=SETS)
    sets = np.arange(SETS)
    for _ in range(BURN_IN):
        advance(model, state, 1)
        for t in range(0, LADDER.size - 1, 2):
            a, b = state["replica"][:, t].copy(), state["replica"][:, t + 1].copy()
            state["replica"][:, t], state["replica"][:, t + 1] = b, a
            state["slot"][sets, a], state["slot"][sets, b] = t + 1, t
    e = all_energies(model)
    chi2, limit = _chi2(state["energy"][sets, state["replica"][:, 0]], e, _boltzmann(e, LADDER[0]))
    assert chi2 > limit


def test_overlap_distribution_matches_enumeration_and_is_symmetric(run):
    """P(q) at T_0 of the 1000 independent pairs of sets against the exact Σ p(s)p(s') δ(q − s·s'/N); its
    symmetry q → −q by a binomial test, which rejects gauge-fixed overlaps (negative control)."""
    model, state, e = run
    s = 1 - 2 * ((np.arange(2 ** N)[:, None] >> np.arange(N)) & 1)
    p = _boltzmann(e, LADDER[0])
    q_exact = np.bincount(((s @ s.T + N) // 2).ravel(), weights=np.outer(p, p).ravel(), minlength=N + 1)
    conf = configurations_at(state, 0).astype(np.int64)
    q = np.sum(conf[0::2] * conf[1::2], axis=1) / N
    chi2, limit = _chi2(q, np.arange(-N, N + 1, 2) / N, q_exact)
    assert chi2 < limit
    positive, negative = np.sum(q > 0), np.sum(q < 0)
    assert stats.binomtest(positive, positive + negative).pvalue > 1e-4
    fixed = conf * conf[:, -1:]
    q_fixed = np.sum(fixed[0::2] * fixed[1::2], axis=1) / N
    assert stats.binomtest(np.sum(q_fixed > 0), np.sum(q_fixed != 0)).pvalue < 1e-4


def test_swap_acceptance_matches_the_exact_product_measure(run):
    """At stationarity pair (t, t+1) is accepted with probability Σ p_t(s) p_{t+1}(s') min(1, e^{Δβ (E_s − E_s')}),
    Δβ = 1/T_t − 1/T_{t+1}. Per-set acceptance fractions are independent: a z-test with |z| < 4.4 (1e-4 over the
    four pairs). The rule with the sign of the exponent flipped predicts values the run rejects."""
    model, state, e = run
    before, sweeps = state["accepted"].copy(), 100
    advance(model, state, sweeps)
    per_set = (state["accepted"] - before) / sweeps
    diff = e[:, None] - e[None, :]
    for t in range(LADDER.size - 1):
        dbeta = 1 / LADDER[t] - 1 / LADDER[t + 1]
        joint = np.outer(_boltzmann(e, LADDER[t]), _boltzmann(e, LADDER[t + 1]))
        exact = np.sum(joint * np.minimum(1.0, np.exp(np.minimum(dbeta * diff, 0.0))))
        wrong = np.sum(joint * np.minimum(1.0, np.exp(np.minimum(-dbeta * diff, 0.0))))
        err = per_set[:, t].std(ddof=1) / np.sqrt(SETS)
        assert abs(per_set[:, t].mean() - exact) < 4.4 * err
        assert abs(per_set[:, t].mean() - wrong) > 4.4 * err


def _run(model, chunks, threads):
    numba.set_num_threads(threads)
    try:
        state = init_tempering(model, geometric_ladder(0.3, 1.5, 6), 7)
        records = [advance(model, state, n, thin=3) for n in chunks]
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return state, {k: np.concatenate([r[k] for r in records]) for k in records[0]}


def test_same_seed_is_bit_identical_for_any_chunking_and_thread_count():
    model = ea_model("grid:5x5", 3)
    state, rec = _run(model, [60], numba.config.NUMBA_NUM_THREADS)
    for chunks, threads in [([7, 0, 23, 30], 1), ([60], 1), ([1] * 60, numba.config.NUMBA_NUM_THREADS)]:
        other, other_rec = _run(model, chunks, threads)
        for k in state:
            np.testing.assert_array_equal(other[k], state[k], err_msg=k)
        for k in rec:
            np.testing.assert_array_equal(other_rec[k], rec[k], err_msg=k)
    assert rec["energy"].shape == (20, 2, 6) and rec["overlap"].shape == (20, 1, 6)
    np.testing.assert_allclose(state["energy"], model.energy(state["spins"]), atol=1e-10)
    different = init_tempering(model, geometric_ladder(0.3, 1.5, 6), 8)
    advance(model, different, 60)
    assert not np.array_equal(different["spins"], state["spins"])


def test_round_trips_and_an_adapted_ladder():
    model = sk_model(32, 9)
    state = init_tempering(model, geometric_ladder(0.3, 2.0, 8), 9)
    advance(model, state, 2000)
    assert state["round_trips"].sum() > 0 and np.all(swap_acceptance(state) > 0)
    f = up_fraction(state)
    assert f[0] == 1.0 and f[-1] == 0.0
    new = adapted_ladder(state)
    assert new[0] == state["temperatures"][0] and new[-1] == state["temperatures"][-1]
    assert np.all(np.diff(new) > 0)


@pytest.mark.parametrize("call, name", [
    (lambda m: init_tempering(m, [1.0], 0), "temperatures"),
    (lambda m: init_tempering(m, [1.0, 0.5], 0), "temperatures"),
    (lambda m: init_tempering(m, [0.5, 1.0], 0, n_sets=0), "n_sets"),
    (lambda m: geometric_ladder(1.0, 0.5, 4), "t_max"),
    (lambda m: advance(m, init_tempering(m, [0.5, 1.0], 0), -1), "n_sweeps"),
    (lambda m: advance(sk_model(5, 0), init_tempering(m, [0.5, 1.0], 0), 1), "state"),
])
def test_tempering_rejects_bad_input(call, name):
    with pytest.raises(ParameterError) as err:
        call(sk_model(4, 0))
    assert err.value.name == name
