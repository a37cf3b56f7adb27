"""Block Gibbs sampling and parallel tempering of an RBM (see :mod:`statmech_nn.models.rbm`).

At inverse temperature β the conditionals factorise over units,

    P(h_j = 1 | v) = σ(β x_j),  x_j = b_j + (vᵀW)_j        (binary; spin: P(h_j = +1 | v) = σ(2β x_j)),

and likewise for v given h, so one *step* samples all of h, then all of v. Many chains run at once with
``prange``; chain c owns row c of an ``rng`` array of xoshiro256** states (shape (chains, 4), uint64), so
results are bit-identical for any thread count and any split of a run into calls. With the chains started
from data and k steps this is the negative phase of CD-k (Hinton 2002); kept between updates it is PCD
(Tieleman 2008).

Parallel tempering (replica exchange; Swendsen & Wang 1986, Desjardins et al. 2010 for RBM training):
every chain is an ensemble of replicas at β_0 < … < β_{T-1} of p_β(v, h) ∝ e^{-βE(v, h)}. A sweep is one
Gibbs step of every replica, then swaps of neighbours (t, t+1) for even t, then for odd t, each accepted with
probability min(1, exp[(β_{t+1} - β_t)(E_{t+1} - E_t)]).

Chain states are float64 arrays of unit values; kernels update ``visible`` and ``rng`` in place. A unit is 1 if
its uniform u < σ(x) = 1 / (1 + e^{-x}); :func:`below_sigmoid` decides that from a table of σ wherever the table
brackets u, with the same answer as the formula, so the exp is evaluated for fewer than 1 draw in 256. The kernels
make the same decisions on the generator's 53 bits m = 2^53 u against the table scaled to integers
(:data:`SIGMOID_PAIRS`), so every kernel gives the units :func:`draw_unit` gives, bit for bit.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM
from statmech_nn.rng import next_double, seed_sequence, xoshiro256_states, xoshiro256_step


#: σ(t) = 1 / (1 + e^{-t}) at t_k = k/64 for |t_k| ≤ 16, with the C library's exp, as the draws compute it; entry
#: k + SIGMOID_OFFSET holds t_k.
SIGMOID_GRID, SIGMOID_OFFSET = 64.0, 1024
SIGMOID_TABLE = np.array([1.0 / (1.0 + math.exp(-(k - SIGMOID_OFFSET) / SIGMOID_GRID))
                          for k in range(2 * SIGMOID_OFFSET + 1)])
SIGMOID_TABLE.setflags(write=False)


@njit(cache=True)
def below_sigmoid(u, t):
    """``u < 1 / (1 + exp(-t))``, decided without the exp when σ at the grid points around t brackets u.

    t·64 is exact, so k = ⌊64 t⌋ is the grid interval [k/64, (k+1)/64] holding t; σ as computed is non-decreasing,
    so σ(k/64) ≤ σ(t) ≤ σ((k+1)/64) and the answer is the formula's, bit for bit. The exp runs only when u falls
    between the two table entries (probability ≤ 1/256, since σ' ≤ 1/4), |t| ≥ 16 or t is NaN. The common path
    has no branch on the outcome (a coin flip the processor would mispredict)."""
    k = np.floor(t * SIGMOID_GRID)
    inside = (k >= -SIGMOID_OFFSET) & (k < SIGMOID_OFFSET)  # False for NaN
    i = int(k if inside else -SIGMOID_OFFSET) + SIGMOID_OFFSET
    low, high = SIGMOID_TABLE[i], SIGMOID_TABLE[i + 1]
    if inside & ((u < low) | (u >= high)):
        return u < low
    return u < 1.0 / (1.0 + math.exp(-t))


#: The table as integers for draws from 53 random bits m (u = m / 2^53, as :func:`~statmech_nn.rng.next_double`
#: makes u): with B_k = ⌈2^53 σ(t_k)⌉, u < σ(t_k) exactly when m < B_k (the scaling is exact). Entry k packs the
#: top 31 bits of the interval's two ends, ⌊B_k / 2^22⌋ + 2^32 ⌊B_{k+1} / 2^22⌋, so one load brackets m.
_BITS = np.ceil(SIGMOID_TABLE * 2.0**53).astype(np.int64) >> 22
SIGMOID_PAIRS = _BITS[:-1] | (_BITS[1:] << 32)
SIGMOID_PAIRS.setflags(write=False)
del _BITS


@njit(cache=True, inline="always")
def _bracket_bits(m, t):
    """(decided, below): whether the table decides m / 2^53 < σ(t) (see :func:`below_sigmoid`), and the answer
    if it does; integer comparisons, no branch. With n = ⌊m / 2^22⌋: n < ⌊B_k / 2^22⌋ implies m < B_k, and
    n > ⌊B_{k+1} / 2^22⌋ implies m > B_{k+1}; in between (the table's band, each end widened by < 2^-31 in u) it
    is undecided."""
    k = np.floor(t * SIGMOID_GRID)
    inside = (k >= -SIGMOID_OFFSET) & (k < SIGMOID_OFFSET)  # False for NaN
    i = np.uint64(np.int64(k if inside else -SIGMOID_OFFSET) + SIGMOID_OFFSET)  # unsigned: no wrap-around test
    pair, top = SIGMOID_PAIRS[i], m >> 22
    below = top < (pair & 0xFFFFFFFF)
    return inside & (below | (top > (pair >> 32))), below


@njit(cache=True, inline="always")
def _below_sigmoid_formula(m, t):
    """m / 2^53 < 1 / (1 + exp(-t)): :func:`below_sigmoid`'s formula for u = m / 2^53."""
    return np.float64(m) * (1.0 / 9007199254740992.0) < 1.0 / (1.0 + math.exp(-t))


@njit(cache=True, inline="always")
def _draw_state(s0, s1, s2, s3, x, off):
    """:func:`draw_unit` (``off`` = -1 for spins, 0 for binary units) on a generator state held in four variables:
    (the unit, the new words)."""
    r, s0, s1, s2, s3 = xoshiro256_step(s0, s1, s2, s3)
    m = np.int64(r >> np.uint64(11))
    t = 2.0 * x if off < 0.0 else x
    decided, below = _bracket_bits(m, t)
    if not decided:
        below = _below_sigmoid_formula(m, t)
    return off + (1.0 - off) * below, s0, s1, s2, s3


@njit(cache=True)
def draw_unit(x, s, spin):
    """A unit's state given its local field x (β included): 1 w.p. σ(x), else 0 (spin: ±1 w.p. σ(±2x))."""
    if spin:
        return 1.0 if below_sigmoid(next_double(s), 2.0 * x) else -1.0
    return 1.0 if below_sigmoid(next_double(s), x) else 0.0


@njit(cache=True)
def hidden_field(W, b, v, out):
    """out_j = b_j + Σ_i v_i W_ij."""
    out[:] = b
    for i in range(W.shape[0]):
        vi = v[i]
        if vi != 0.0:
            for j in range(W.shape[1]):
                out[j] += vi * W[i, j]


@njit(cache=True)
def sample_visible(W, a_eff, beta, h, v, s, spin):
    """v_i drawn with field a_eff_i + β Σ_j W_ij h_j, in place; returns the number of units that changed."""
    off = -1.0 if spin else 0.0
    changed = 0
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]  # in registers: the stores to v cannot force reloads
    for i in range(W.shape[0]):
        x = 0.0
        for j in range(W.shape[1]):
            x += W[i, j] * h[j]
        new, s0, s1, s2, s3 = _draw_state(s0, s1, s2, s3, a_eff[i] + beta * x, off)
        changed += new != v[i]
        v[i] = new
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    return changed


@njit(cache=True)
def _gibbs_step(W, a_eff, b, beta, v, field, h, s, spin):
    hidden_field(W, b, v, field)
    off = -1.0 if spin else 0.0
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    for j in range(h.shape[0]):
        h[j], s0, s1, s2, s3 = _draw_state(s0, s1, s2, s3, beta * field[j], off)
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3
    return sample_visible(W, a_eff, beta, h, v, s, spin)


@njit(cache=True)
def _energy(W, a, b, v, h):
    e = 0.0
    for i in range(W.shape[0]):
        x = a[i]
        for j in range(W.shape[1]):
            x += W[i, j] * h[j]
        e -= v[i] * x
    for j in range(W.shape[1]):
        e -= b[j] * h[j]
    return e


@njit(cache=True)
def _next_bits(state, bits, n, stride):
    """bits[k·stride + c] = the top 53 bits of chain c's next :func:`~statmech_nn.rng.next_u64`, k < n, for the
    chains' xoshiro256** states held transposed (``state[w, c]`` is word w of chain c), advanced in place. The
    inner loop runs across chains, so the compiler vectorises the generators."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for k in range(n):
        row = k * stride
        for c in range(s0.shape[0]):
            r, s0[c], s1[c], s2[c], s3[c] = xoshiro256_step(s0[c], s1[c], s2[c], s3[c])
            bits[row + c] = np.int64(r >> np.uint64(11))


@njit(cache=True)
def draw_units(field, bias, beta, state, spin, out, flips, bits, column, new, undecided):
    """Row c of ``out`` drawn with local fields β (``field[c]`` + ``bias``) from chain c's generator (column c of
    the transposed states ``state``), units in order; ``flips[c]`` accumulates how many units changed. The same
    numbers as :func:`draw_unit` unit by unit: u = m / 2^53 from the same words; the table decides u < σ(t) by
    integer comparisons in a loop without branches (vectorised), and the few draws it leaves undecided are
    settled by the formula afterwards. Scratch: ``bits`` (units × (chains + 8)), ``column`` (int64), ``new``
    (float64), ``undecided`` (bool), ≥ units each."""
    n_c, n = field.shape
    off = -1.0 if spin else 0.0
    span, scale = 1.0 - off, 2.0 if spin else 1.0  # x·1 and x·2 are exact: draw_unit's t
    stride = n_c + 8  # not a multiple of the cache's set stride: the column reads do not evict each other
    _next_bits(state, bits, n, stride)
    for c in range(n_c):
        for k in range(n):
            column[k] = bits[k * stride + c]
        f, row = field[c], out[c]
        n_undecided = 0
        for k in range(n):
            decided, below = _bracket_bits(column[k], scale * (beta * (f[k] + bias[k])))
            new[k] = off + span * below
            undecided[k] = not decided
            n_undecided += not decided
        if n_undecided:
            for k in range(n):
                if undecided[k]:
                    new[k] = off + span * _below_sigmoid_formula(column[k], scale * (beta * (f[k] + bias[k])))
        changed = 0
        for k in range(n):
            changed += new[k] != row[k]
            row[k] = new[k]
        flips[c] += changed


#: Chains per block of :func:`gibbs_kernel`. Fixed, so that the matrix products — and the numbers — are the same
#: whatever the number of threads.
CHAIN_BLOCK = 64


@njit(cache=True, parallel=True)
def gibbs_kernel(W, a, b, beta, visible, rng, n_steps, spin, flips):
    """``n_steps`` block Gibbs steps of every chain (rows of ``visible``) at inverse temperature β, in place;
    ``flips[c]`` accumulates the number of visible units chain c changed. Blocks of :data:`CHAIN_BLOCK` chains run
    on the Numba threads, each through all the steps in its own buffers: per step one matrix product per layer for
    the block's chains (BLAS, single-threaded under the package's threading policy; a product over many chains is
    ten times faster than a loop per chain at 1600 × 400 units), then the draws (:func:`draw_units`: the block's
    generators advanced side by side, transposed), each chain's generator through its units in order, h then v,
    as :func:`tempering_chain` does."""
    n, n_v = visible.shape
    n_h = W.shape[1]
    w, w_t = np.ascontiguousarray(W), np.ascontiguousarray(W.T)
    n_units = max(n_v, n_h)
    for block in prange((n + CHAIN_BLOCK - 1) // CHAIN_BLOCK):
        lo = block * CHAIN_BLOCK
        hi = min(n, lo + CHAIN_BLOCK)
        v, s = np.ascontiguousarray(visible[lo:hi]), np.ascontiguousarray(rng[lo:hi].T)
        h, field_h, field_v = np.zeros((hi - lo, n_h)), np.empty((hi - lo, n_h)), np.empty((hi - lo, n_v))
        changed, scratch = np.zeros(hi - lo, np.int64), np.zeros(hi - lo, np.int64)
        bits, column = np.empty(n_units * (CHAIN_BLOCK + 8), np.int64), np.empty(n_units, np.int64)
        new, undecided = np.empty(n_units), np.empty(n_units, np.bool_)
        for _ in range(n_steps):
            np.dot(v, w, field_h)
            draw_units(field_h, b, beta, s, spin, h, scratch, bits, column, new, undecided)
            np.dot(h, w_t, field_v)
            draw_units(field_v, a, beta, s, spin, v, changed, bits, column, new, undecided)
        visible[lo:hi] = v
        rng[lo:hi] = s.T
        flips[lo:hi] += changed


@njit(cache=True)
def tempering_chain(W, a, b, betas, visible, s, n_sweeps, spin, accepted, flips):
    """``n_sweeps`` parallel-tempering sweeps of one ensemble: ``visible`` (T, n_visible), replica t at
    ``betas[t]``, generator state ``s``; ``accepted[t]`` counts accepted swaps of pair (t, t+1), ``flips[t]``
    visible-unit changes."""
    n_temps, n_v = visible.shape
    n_h = W.shape[1]
    field = np.empty(n_h)
    h = np.empty(n_h)
    a_eff = np.empty(n_v)
    energy = np.empty(n_temps)
    for _ in range(n_sweeps):
        for t in range(n_temps):
            for i in range(n_v):
                a_eff[i] = betas[t] * a[i]
            flips[t] += _gibbs_step(W, a_eff, b, betas[t], visible[t], field, h, s, spin)
            energy[t] = _energy(W, a, b, visible[t], h)
        for parity in range(2):
            for t in range(parity, n_temps - 1, 2):
                log_r = (betas[t + 1] - betas[t]) * (energy[t + 1] - energy[t])
                if log_r >= 0.0 or next_double(s) < math.exp(log_r):
                    for i in range(n_v):
                        x = visible[t, i]
                        visible[t, i] = visible[t + 1, i]
                        visible[t + 1, i] = x
                    energy[t], energy[t + 1] = energy[t + 1], energy[t]
                    accepted[t] += 1


@njit(cache=True, parallel=True)
def tempering_kernel(W, a, b, betas, visible, rng, n_sweeps, spin, accepted, flips):
    """:func:`tempering_chain` for every chain c in parallel: ``visible`` (T, chains, n_visible), ``rng``
    (chains, 4), ``accepted`` (T-1, chains), ``flips`` (T, chains)."""
    for c in prange(visible.shape[1]):
        tempering_chain(W, a, b, betas, visible[:, c], rng[c], n_sweeps, spin, accepted[:, c], flips[:, c])


# Stream keys (after the run's or point's seed): 0 chain generators (then the chain index), 1 random starting
# units, 2 exact samples, 3 AIS, 4 reverse AIS; training uses 0 for initial parameters and chains and 1 for the
# minibatch order.


def _positive_int(name: str, value, low: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(name, value, f"an integer >= {low}")
    return int(value)


def _random_units(seed, shape: tuple, spin: bool) -> np.ndarray:
    bits = np.random.default_rng(seed_sequence(seed, 1)).integers(0, 2, shape).astype(np.float64)
    return 2.0 * bits - 1.0 if spin else bits


def check_chains(model: RBM, visible, rng) -> None:
    """Reject chain arrays a kernel cannot safely update: ``visible`` (..., chains, n_visible) writable
    C-contiguous float64 and ``rng`` (chains, 4) writable C-contiguous uint64."""
    ok = (isinstance(visible, np.ndarray) and visible.dtype == np.float64 and visible.flags.c_contiguous
          and visible.flags.writeable and visible.ndim >= 2 and visible.shape[-1] == model.n_visible)
    if not ok:
        raise ParameterError("visible", getattr(visible, "shape", visible),
                             f"a writable C-contiguous float64 array (..., chains, {model.n_visible})")
    n_chains = visible.shape[-2]
    if not (isinstance(rng, np.ndarray) and rng.dtype == np.uint64 and rng.shape == (n_chains, 4)
            and rng.flags.c_contiguous and rng.flags.writeable):
        raise ParameterError("rng", getattr(rng, "shape", rng), f"a writable C-contiguous uint64 array ({n_chains}, 4)")


def init_chains(model: RBM, n_chains: int, seed, visible=None) -> dict[str, np.ndarray]:
    """Chain state ``{"visible": (n_chains, n_visible) float64, "rng": (n_chains, 4) uint64}``.
    Without ``visible`` the chains start from independent uniformly random units."""
    n_chains = _positive_int("n_chains", n_chains)
    shape = (n_chains, model.n_visible)
    if visible is None:
        visible = _random_units(seed, shape, model.spin)
    visible = np.array(np.broadcast_to(model.states(visible, model.n_visible, "visible"), shape), order="C")
    return {"visible": visible, "rng": xoshiro256_states(seed, n_chains, 0)}


def gibbs(model: RBM, chains: dict[str, np.ndarray], n_steps: int, beta: float = 1.0) -> np.ndarray:
    """Advance ``chains`` (see :func:`init_chains`) by ``n_steps`` block Gibbs steps at inverse temperature
    ``beta`` in place; returns the number of visible-unit changes per chain."""
    check_chains(model, chains["visible"], chains["rng"])
    flips = np.zeros(chains["visible"].shape[0], np.int64)
    gibbs_kernel(model.weights, model.visible_bias, model.hidden_bias, float(beta), chains["visible"],
                 chains["rng"], _positive_int("n_steps", n_steps, 0), model.spin, flips)
    return flips


def sample(model: RBM, chains: dict[str, np.ndarray], n_samples: int, thin: int) -> np.ndarray:
    """``n_samples`` visible configurations per chain, ``thin`` steps apart (the first after ``thin`` steps):
    int8 array (n_samples, n_chains, n_visible)."""
    out = np.empty((_positive_int("n_samples", n_samples, 0),) + chains["visible"].shape, np.int8)
    thin = _positive_int("thin", thin)
    for k in range(n_samples):
        gibbs(model, chains, thin)
        out[k] = chains["visible"]
    return out


def check_betas(betas, name: str = "betas") -> np.ndarray:
    """A tempering ladder: ≥ 2 increasing finite inverse temperatures in [0, 1] ending at β = 1."""
    x = np.array(betas, dtype=np.float64).ravel()
    if x.size < 2 or not np.isfinite(x).all() or x[0] < 0.0 or x[-1] != 1.0 or np.any(np.diff(x) <= 0.0):
        raise ParameterError(name, betas, "at least 2 increasing inverse temperatures in [0, 1] ending at 1")
    x.setflags(write=False)
    return x


def init_tempering(model: RBM, betas, n_chains: int, seed) -> dict[str, np.ndarray]:
    """Tempering state: ``"betas"`` (T,), ``"visible"`` (T, n_chains, n_visible), ``"rng"`` (n_chains, 4),
    ``"accepted"`` (T-1, n_chains) and ``"sweeps"`` () counters. Replicas start uniformly random."""
    betas = check_betas(betas)
    n_chains = _positive_int("n_chains", n_chains)
    return {"betas": np.array(betas),
            "visible": _random_units(seed, (betas.size, n_chains, model.n_visible), model.spin),
            "rng": xoshiro256_states(seed, n_chains, 0),
            "accepted": np.zeros((betas.size - 1, n_chains), np.int64),
            "sweeps": np.array(0, np.int64)}


def tempering(model: RBM, state: dict[str, np.ndarray], n_sweeps: int) -> np.ndarray:
    """Advance a tempering ``state`` by ``n_sweeps`` sweeps in place; returns visible-unit changes (T, chains)."""
    betas = check_betas(state["betas"])
    visible, accepted = state["visible"], state["accepted"]
    check_chains(model, visible, state["rng"])
    n_chains = visible.shape[-2]
    if visible.shape != (betas.size, n_chains, model.n_visible) or accepted.dtype != np.int64 \
            or accepted.shape != (betas.size - 1, n_chains) or not accepted.flags.writeable:
        raise ParameterError("state", {k: np.shape(v) for k, v in state.items()}, "a state from init_tempering")
    flips = np.zeros((betas.size, n_chains), np.int64)
    n_sweeps = _positive_int("n_sweeps", n_sweeps, 0)
    tempering_kernel(model.weights, model.visible_bias, model.hidden_bias, betas, visible, state["rng"],
                     n_sweeps, model.spin, accepted, flips)
    state["sweeps"] = np.array(int(state["sweeps"]) + n_sweeps, np.int64)
    return flips


def swap_acceptance(state: dict[str, np.ndarray]) -> np.ndarray:
    """Fraction of accepted swaps of each neighbour pair (t, t+1) so far, over all chains."""
    return state["accepted"].sum(axis=1) / max(int(state["sweeps"]) * state["accepted"].shape[1], 1)
