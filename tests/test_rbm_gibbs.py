"""Block Gibbs sampling and parallel tempering of RBMs against the exact distribution of visible states.

The χ² tests use samples whose dependence is bounded exactly. The visible chain of block Gibbs at β has the
transition matrix T_β(v, v') = Σ_h p_β(h|v) p_β(v'|h), self-adjoint and positive on L²(p_β), so correlations
of samples t steps apart are at most λ^t, λ = its second eigenvalue, computed here by enumeration. A tempering
sweep is the product of these (one per replica) followed by Metropolis swaps, which are contractions, so the
same bound holds with λ the largest second eigenvalue on the ladder. Burn-in and thinning are chosen so that
λ^t ≤ 10⁻³ (after the start's L² distance is paid off): the counts are then multinomial to that accuracy, and a
correct sampler fails the p < 10⁻⁴ threshold about once in 10⁴ runs. Negative control: samples of a model with
perturbed weights are rejected by the same test.

The fast draw paths (the block kernel's vectorised ``draw_units``, and ``sample_visible`` with the state in registers)
give exactly the units and generator states of ``draw_unit`` called unit by unit on the same fields, including the
draws the σ table leaves to the formula, whose answer the table alone would get wrong for some of them.
"""
import math

import numba
import numpy as np
import pytest
from scipy.stats import chi2

from statmech_nn.errors import ParameterError
from statmech_nn.rng import next_double
from statmech_nn.models.rbm import RBM, configurations, phi_numpy, random_rbm
from statmech_nn.rbm.exact import exact_samples, visible_log_probabilities
from statmech_nn.samplers import rbm_gibbs
from statmech_nn.samplers.rbm_gibbs import _random_units

P_MIN = 1e-4


def visible_transition(model, beta):
    """T_β(v, v') by enumeration of both layers."""
    v, h = configurations(model.n_visible, model.units), configurations(model.n_hidden, model.units)
    xh = beta * (v @ model.weights + model.hidden_bias)
    xv = beta * (h @ model.weights.T + model.visible_bias)
    p_h = np.exp(xh @ h.T - phi_numpy(xh, model.units).sum(axis=1, keepdims=True))
    p_v = np.exp(xv @ v.T - phi_numpy(xv, model.units).sum(axis=1, keepdims=True))
    return p_h @ p_v


def second_eigenvalue_bound(symmetric, top, squarings=10):
    """An upper bound on the second eigenvalue λ of a symmetric PSD matrix with top eigenpair (1, ``top``):
    with M = S - top topᵀ, λ ≤ tr(M^(2^k))^(2^-k) ≤ λ dim^(2^-k), by repeated squaring (no LAPACK call,
    whose threads contend with Numba's)."""
    m = symmetric - np.outer(top, top)
    log_scale = 0.0
    for _ in range(squarings):
        m = m @ m
        norm = np.linalg.norm(m)
        m /= norm
        log_scale = 2.0 * log_scale + math.log(norm)
    return math.exp((log_scale + math.log(np.trace(m))) / 2**squarings)


def mixing_steps(model, betas, tolerance=1e-3):
    """(burn-in, thinning): steps after which correlations, and the start's L² distance times λ^t, are below
    ``tolerance``. Chains start uniformly, so that distance is at most √Π_β (1 / (2^n min_v p_β(v)))."""
    lam, log_start = 0.0, 0.0
    for beta in betas:
        tempered = RBM(beta * model.weights, beta * model.visible_bias, beta * model.hidden_bias, model.units)
        root_p = np.exp(0.5 * visible_log_probabilities(tempered))
        symmetric = root_p[:, None] * visible_transition(model, beta) / root_p[None, :]
        lam = max(lam, second_eigenvalue_bound(0.5 * (symmetric + symmetric.T), root_p))
        log_start += -model.n_visible * 0.5 * math.log(2) - np.log(root_p.min())
    thin = math.ceil(math.log(tolerance) / math.log(lam))
    return math.ceil((math.log(tolerance) - log_start) / math.log(lam)), thin


def chi2_pvalue(samples, log_p):
    """χ² goodness of fit of visible samples (..., n) to the exact log p, bins pooled to expected counts ≥ 5."""
    codes = (samples.reshape(-1, samples.shape[-1]) > 0) @ (1 << np.arange(samples.shape[-1]))
    observed = np.bincount(codes, minlength=log_p.size)
    expected = observed.sum() * np.exp(log_p)
    order = np.argsort(expected)
    pooled = np.searchsorted(np.cumsum(expected[order]), 5.0) + 1  # smallest bins merged into one
    obs = np.append(observed[order[pooled:]], observed[order[:pooled]].sum())
    exp = np.append(expected[order[pooled:]], expected[order[:pooled]].sum())
    return chi2.sf(np.sum((obs - exp) ** 2 / exp), obs.size - 1)


MODELS = {"binary": (9, 6, 1.0), "spin": (9, 6, 0.45)}


def model_for(units, seed=1):
    n_v, n_h, scale = MODELS[units]
    return random_rbm(n_v, n_h, scale, seed=seed, bias_scale=0.5, units=units)


def gibbs_samples(model, target, n_chains=4000, n_samples=5, seed=2):
    burn_in, thin = mixing_steps(target, [1.0])
    chains = rbm_gibbs.init_chains(model, n_chains, seed)
    rbm_gibbs.gibbs(model, chains, burn_in)
    return rbm_gibbs.sample(model, chains, n_samples, thin)


@pytest.mark.parametrize("units", MODELS)
def test_gibbs_samples_follow_the_exact_distribution(units):
    model = model_for(units)
    samples = gibbs_samples(model, model)
    assert set(np.unique(samples)) == ({-1, 1} if units == "spin" else {0, 1})
    assert chi2_pvalue(samples, visible_log_probabilities(model)) > P_MIN


@pytest.mark.parametrize("units", MODELS)
def test_chi2_rejects_a_perturbed_model(units):
    model = model_for(units)
    noise = np.random.default_rng(3).normal(0.0, 0.1 * MODELS[units][2], model.weights.shape)
    wrong = RBM(model.weights + noise, model.visible_bias, model.hidden_bias, units)
    samples = gibbs_samples(wrong, model)  # thinning justified for the wrong model as well
    assert chi2_pvalue(samples, visible_log_probabilities(model)) < P_MIN


def test_exact_samples_pass_and_tempered_samples_fail():
    model = model_for("binary")
    log_p = visible_log_probabilities(model)
    assert chi2_pvalue(exact_samples(model, 20000, seed=4), log_p) > P_MIN
    chains = rbm_gibbs.init_chains(model, 4000, 5)
    burn_in, thin = mixing_steps(model, [0.9])
    rbm_gibbs.gibbs(model, chains, burn_in, beta=0.9)
    assert chi2_pvalue(chains["visible"], log_p) < P_MIN


@pytest.mark.parametrize("units", MODELS)
def test_tempering_samples_follow_the_exact_distribution(units):
    model = model_for(units, seed=6)
    betas = [0.4, 0.7, 1.0]
    burn_in, thin = mixing_steps(model, betas)
    state = rbm_gibbs.init_tempering(model, betas, 4000, 7)
    rbm_gibbs.tempering(model, state, burn_in)
    samples = []
    for _ in range(5):
        rbm_gibbs.tempering(model, state, thin)
        samples.append(state["visible"][-1].copy())
    assert chi2_pvalue(np.array(samples), visible_log_probabilities(model)) > P_MIN
    acceptance = rbm_gibbs.swap_acceptance(state)
    assert acceptance.shape == (2,) and np.all((acceptance > 0.2) & (acceptance < 1.0))


def run_both(model, seed, split):
    chains = rbm_gibbs.init_chains(model, 2 * rbm_gibbs.CHAIN_BLOCK + 37, seed)  # three blocks, the last short
    state = rbm_gibbs.init_tempering(model, [0.3, 0.6, 1.0], 29, seed)
    flips, pt_flips = 0, 0
    for n in split:
        flips = flips + rbm_gibbs.gibbs(model, chains, n)
        pt_flips = pt_flips + rbm_gibbs.tempering(model, state, n)
    return chains, state, flips, pt_flips


def test_bit_identical_for_any_thread_count_and_split():
    model = model_for("spin")
    reference = run_both(model, 8, [20])
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        others = [run_both(model, 8, [20]), run_both(model, 8, [7, 13])]
    finally:
        numba.set_num_threads(threads)
    others.append(run_both(model, 8, [10, 10]))
    for other in others:
        for ref, out in zip(reference, other):
            if isinstance(ref, dict):
                assert all(np.array_equal(ref[k], out[k]) for k in ref)
            else:
                assert np.array_equal(ref, out)
    assert not np.array_equal(reference[0]["visible"], run_both(model, 9, [20])[0]["visible"])


def draw_fields(n_chains, n_units, seed):
    """Local fields for a block of draws: mostly N(0, 1), some on and next to σ-table grid points, beyond the
    table (|t| ≥ 16), ±inf and NaN."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, (n_chains, n_units))
    special = np.array([0.0, -0.0, 1 / 64, -3 / 64, np.nextafter(0.5, 1.0), 15.99, 16.0, -16.0, 16.5, -40.0, 700.0,
                        -800.0, np.inf, -np.inf, np.nan])
    x[:, :special.size] = special
    return x


def reference_draws(field, bias, beta, rng, spin, out):
    """``draw_unit`` unit by unit; returns the flips and two counts: draws with |t| < 16 whose u falls between the
    table entries around t (left to the formula), and among them those the formula sets to 1 (u < σ(t): a
    decision from the table alone, u < σ(⌊64t⌋/64), would say 0)."""
    flips, undecided, decisive = np.zeros(field.shape[0], np.int64), 0, 0
    for c in range(field.shape[0]):
        for k in range(field.shape[1]):
            x = beta * (field[c, k] + bias[k])
            t = 2.0 * x if spin else x
            u = next_double(rng[c].copy())  # the u draw_unit is about to use
            kf = math.floor(t * rbm_gibbs.SIGMOID_GRID) if np.isfinite(t) else math.inf
            i = kf + rbm_gibbs.SIGMOID_OFFSET
            table = rbm_gibbs.SIGMOID_TABLE
            if 0 <= i < table.size - 1 and table[i] <= u < table[i + 1]:
                undecided += 1
                decisive += bool(u < 1.0 / (1.0 + math.exp(-t)))
            new = rbm_gibbs.draw_unit(x, rng[c], spin)
            flips[c] += new != out[c, k]
            out[c, k] = new
    return flips, undecided, decisive


@pytest.mark.parametrize("units", MODELS)
def test_fast_draws_are_draw_unit_bit_for_bit(units):
    spin, n_chains, n_units, beta = units == "spin", rbm_gibbs.CHAIN_BLOCK - 7, 300, 0.7
    field, bias = draw_fields(n_chains, n_units, 10), np.random.default_rng(11).normal(0.0, 0.3, n_units)
    rng = rbm_gibbs.init_chains(random_rbm(1, 1, 1.0, seed=1, units=units), n_chains, 12)["rng"]
    start = _random_units(13, (n_chains, n_units), spin)
    ref_out, ref_rng = start.copy(), rng.copy()
    ref_flips, undecided, decisive = reference_draws(field, bias, beta, ref_rng, spin, ref_out)
    assert undecided > 30 and decisive > 5  # the formula's fallback is exercised, and its answer matters
    out, state, flips = start.copy(), np.ascontiguousarray(rng.T), np.zeros(n_chains, np.int64)
    rbm_gibbs.draw_units(field, bias, beta, state, spin, out, flips, np.empty(n_units * (n_chains + 8), np.int64),
                         np.empty(n_units, np.int64), np.empty(n_units), np.empty(n_units, np.bool_))
    assert np.array_equal(out, ref_out) and np.array_equal(flips, ref_flips) and np.array_equal(state.T, ref_rng)
    out, states = start.copy(), rng.copy()  # sample_visible with W = 0: the fields are a_eff + 0
    flips = [rbm_gibbs.sample_visible(np.zeros((n_units, 1)), beta * (field[c] + bias), 1.0, np.zeros(1), out[c],
                                      states[c], spin) for c in range(n_chains)]
    assert np.array_equal(out, ref_out) and np.array_equal(flips, ref_flips) and np.array_equal(states, ref_rng)


@pytest.mark.parametrize("units", MODELS)
def test_saturated_fields_do_not_overflow(units):
    model = RBM(np.full((3, 2), 400.0), [900.0, -2000.0, 1e4], [-1e3, 1e3], units)
    chains = rbm_gibbs.init_chains(model, 5, 1)
    rbm_gibbs.gibbs(model, chains, 3)
    off = -1.0 if units == "spin" else 0.0
    assert np.array_equal(chains["visible"], np.tile([1.0, off, 1.0], (5, 1)))


def test_bad_input_is_rejected():
    model = model_for("binary")
    chains = rbm_gibbs.init_chains(model, 3, 1)
    with pytest.raises(ParameterError, match="visible"):
        rbm_gibbs.gibbs(random_rbm(4, 2, 1.0, seed=1), chains, 1)
    with pytest.raises(ParameterError, match="rng"):
        rbm_gibbs.gibbs(model, {"visible": chains["visible"], "rng": chains["rng"][:2]}, 1)
    with pytest.raises(ParameterError, match="n_steps"):
        rbm_gibbs.gibbs(model, chains, -1)
    with pytest.raises(ParameterError, match="visible"):
        rbm_gibbs.init_chains(model, 3, 1, visible=np.full(9, 0.5))
    with pytest.raises(ParameterError, match="seed"):
        rbm_gibbs.init_chains(model, 3, -1)
    for betas in ([1.0], [0.5, 0.9], [0.5, 0.4, 1.0], [-0.1, 1.0], [0.5, np.nan, 1.0]):
        with pytest.raises(ParameterError, match="betas"):
            rbm_gibbs.init_tempering(model, betas, 2, 1)
    state = rbm_gibbs.init_tempering(model, [0.5, 1.0], 2, 1)
    state["accepted"] = state["accepted"][:, :1]
    with pytest.raises(ParameterError, match="state"):
        rbm_gibbs.tempering(model, state, 1)
