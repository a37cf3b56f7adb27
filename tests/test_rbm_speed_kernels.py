"""The fast paths of RBM sampling and training compute what the formulas say.

* ``below_sigmoid`` (the table-bracketed draw of every Gibbs kernel) answers ``u < 1 / (1 + exp(-t))`` exactly,
  on inputs that hit the grid points, their neighbours, the ambiguous band between two table entries, u = σ(t)
  itself, |t| > 16, ±inf and NaN; negative control: deciding from the table alone (no exact fallback) is caught.
* ``logistic_row`` (the vectorisable σ of the training kernel) is within 1e-11 of σ; negative control: σ at a
  field off by 1e-9 relative is not.
* One training epoch over a single minibatch moves the parameters by η (g − λ₂W − λ₁ sign W) with g the float64
  likelihood gradient of the examples and of the chains the kernel left behind, to float32 accuracy; negative
  control: the chains as they were before the epoch give a gradient outside the tolerance.
* Epochs of cd, pcd and pt on sizes whose matrix products split into blocks give the same bits on 1 and 2 Numba
  threads; control: the comparison sees a one-ulp change of one initial weight.
"""
import math

import numba
import numpy as np
import pytest

from statmech_nn.rbm.data import bars_and_stripes
from statmech_nn.rbm.epoch import _n_blocks, logistic_row
from statmech_nn.rbm.train import init_state, pt_betas, train, train_settings
from statmech_nn.samplers.rbm_gibbs import SIGMOID_GRID, SIGMOID_OFFSET, SIGMOID_TABLE, below_sigmoid
from statmech_nn.threads import owned_by


def sigmoid(t):
    """1 / (1 + exp(-t)) in IEEE arithmetic with the C library's exp (Python's math.exp raises on overflow)."""
    try:
        e = math.exp(-t)
    except OverflowError:
        e = math.inf
    return 1.0 / (1.0 + e)


def cases():
    """(u, t) pairs at and around every grid point, with u random, at σ(t) and at its floating-point neighbours."""
    rng = np.random.default_rng(0)
    grid = (np.arange(SIGMOID_TABLE.size) - SIGMOID_OFFSET) / SIGMOID_GRID
    ts = np.concatenate([grid, np.nextafter(grid, np.inf), np.nextafter(grid, -np.inf), grid + 0.5 / SIGMOID_GRID,
                         rng.normal(0.0, 6.0, 4000), [-40.0, 40.0, -16.5, 16.5, 800.0, -800.0]])
    pairs = [(u, t) for t in ts for u in (rng.random(), sigmoid(t), np.nextafter(sigmoid(t), 0.0),
                                          np.nextafter(sigmoid(t), 1.0))]
    pairs += [(0.5, np.inf), (0.5, -np.inf), (0.5, np.nan), (0.0, -np.inf), (0.0, np.nan)]
    return pairs


def table_only(u, t):
    """A broken variant: σ(t) replaced by the table entry below t, no exact fallback."""
    i = min(max(math.floor(t * SIGMOID_GRID) + SIGMOID_OFFSET, 0), SIGMOID_TABLE.size - 1)
    return u < SIGMOID_TABLE[i]


def test_below_sigmoid_is_the_formula_bit_for_bit():
    pairs = cases()
    wrong = [(u, t) for u, t in pairs if below_sigmoid(u, t) != (u < sigmoid(t))]
    assert wrong == []
    assert sum(table_only(u, t) != (u < sigmoid(t)) for u, t in pairs if np.isfinite(t)) > 100  # control


def test_logistic_row_is_sigma_to_1e_11():
    x = np.concatenate([np.linspace(-60.0, 60.0, 20001), [-800.0, 800.0, 0.0]]).astype(np.float32)
    bias = np.linspace(-1.0, 1.0, x.size)
    out, work = np.empty(x.size), np.empty(x.size)
    for scale in (1.0, 2.0):
        logistic_row(x, bias, scale, out, work)
        exact = np.array([sigmoid(scale * (float(f) + b)) for f, b in zip(x, bias)])
        assert np.max(np.abs(out - exact)) < 1e-11
        off = np.array([sigmoid(scale * (float(f) + b) * (1 + 1e-9)) for f, b in zip(x, bias)])
        assert np.max(np.abs(off - exact)) > 1e-11  # control: the tolerance sees a 1e-9 error in the field


def likelihood_gradient(W, a, b, v_pos, v_neg, spin):
    """g = ⟨v m(v)ᵀ⟩_pos − ⟨v m(v)ᵀ⟩_neg (and the bias gradients), m = E[h|v], in float64."""
    def means(v):
        x = v @ W + b
        return np.tanh(x) if spin else 1.0 / (1.0 + np.exp(-x))
    m_pos, m_neg = means(v_pos), means(v_neg)
    return (v_pos.T @ m_pos / len(v_pos) - v_neg.T @ m_neg / len(v_neg), v_pos.mean(0) - v_neg.mean(0),
            m_pos.mean(0) - m_neg.mean(0))


@pytest.mark.parametrize("method, units", [("pcd", "binary"), ("pt", "spin")])
def test_one_minibatch_epoch_follows_the_gradient(method, units):
    data = bars_and_stripes(3, units)
    eta, l1, l2 = 0.1, 1e-3, 1e-2
    settings = train_settings(n_hidden=5, units=units, method=method, k=2, batch_size=len(data), n_chains=12,
                              pt_temperatures=3, learning_rate=eta, momentum=0.5, l1=l1, l2=l2, init_scale=0.5)
    state = init_state(settings, data, seed=5)
    before = {name: state[name].copy() for name in state}
    train(settings, data, state, 1)
    W = before["weights"]
    steps = [(state[name] - before[name]) / eta for name in ("weights", "visible_bias", "hidden_bias")]
    assert pt_betas(settings)[-1] == 1.0
    for chains, should_pass in ((state["chains"][-1], True), (before["chains"][-1], False)):
        g = likelihood_gradient(W, before["visible_bias"], before["hidden_bias"], data, chains, units == "spin")
        expected = [g[0] - l2 * W - l1 * np.sign(W), g[1], g[2]]
        close = all(np.allclose(s, e, rtol=0.0, atol=1e-5) for s, e in zip(steps, expected))
        assert close == should_pass


def trained(settings, data, threads, nudge=False):
    """The state and diagnostics after two epochs on ``threads`` Numba threads (BLAS on one, as studies run),
    from initial weights with W[0, 0] one ulp up if ``nudge``."""
    state = init_state(settings, data, seed=3)
    if nudge:
        state["weights"][0, 0] = np.nextafter(state["weights"][0, 0], np.inf)
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with owned_by("numba"):
            diagnostics = train(settings, data, state, 2)
    finally:
        numba.set_num_threads(before)
    return {**state, **{"out_" + name: value for name, value in diagnostics.items()}}


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two Numba threads")
@pytest.mark.parametrize("method, units", [("cd", "spin"), ("pcd", "binary"), ("pt", "spin")])
def test_epoch_is_bit_identical_for_any_thread_count(method, units):
    n_v, n_h, batch, chains = 400, 200, 64, 70
    data = np.where(np.random.default_rng(1).random((130, n_v)) < 0.3, 1.0, -1.0 if units == "spin" else 0.0)
    settings = train_settings(n_hidden=n_h, units=units, method=method, k=2, batch_size=batch, n_chains=chains,
                              pt_temperatures=2, learning_rate=0.01, momentum=0.5, l1=1e-3, l2=1e-3, init_scale=0.1)
    assert _n_blocks(batch, n_v * n_h) > 1 and _n_blocks(n_v, (batch + chains) * n_h) > 1  # split products
    one, two = trained(settings, data, 1), trained(settings, data, 2)
    assert all(np.array_equal(one[name], two[name]) for name in one)
    nudged = trained(settings, data, 1, nudge=True)
    assert not np.array_equal(one["weights"], nudged["weights"])  # control: a last-bit change shows
