"""Random networks on all 2^n Boolean inputs: the Boolean function each one computes (Valle-Pérez, Camargo & Louis,
ICLR 2019, Sec. 3).

A network of layer widths n → h_1 → … → h_L → 1 maps input x_a ∈ {0,1}^n, the binary expansion of the index a
(most significant bit first), by h^l = W^l φ(h^{l−1}) + b^l (φ is not applied to the input), and outputs
f(x_a) = [h^{L+1}(x_a) > 0]. ``widths = ()`` is the perceptron f(x) = [w·x + b > 0].

Weight laws (every entry has variance σ_w²/fan_in; biases b_i ~ N(0, σ_b²)):

* ``gaussian``   W_ij ~ N(0, σ_w²/fan_in).
* ``uniform``    W_ij ~ U(−√(3σ_w²/fan_in), √(3σ_w²/fan_in)).
* ``orthogonal`` with m = max(fan_in, fan_out), k = min(fan_in, fan_out): the k columns of Q from Gram–Schmidt on an
  m × k standard Gaussian matrix are the first k columns of a Haar matrix of O(m) (Stiefel-uniform); W = c Q if
  fan_out ≥ fan_in, W = c Qᵀ otherwise, with c = σ_w √(m/fan_in). Hence W Wᵀ = σ_w² I when fan_out ≤ fan_in and
  Wᵀ W = σ_w² (fan_out/fan_in) I otherwise: |W x|²/fan_out = σ_w² |x|²/fan_in in both cases, as for ``gaussian``.

Activations: ``relu`` max(u, 0), ``tanh``, ``erf`` = erf(√π u / 2) (slope 1 at 0, the convention of
:mod:`statmech_nn.meanfield.activations`), ``linear``.

Random streams: networks are drawn in blocks of ``block_size``; block b of a run with root ``seed`` uses the
xoshiro256** stream ``seed_sequence(seed, b)`` for its networks in order (per layer: W row-major, then b; normals
by Marsaglia's polar method). A function is thus fixed by (seed, block_size, block, position), whatever the thread
count or the chunks in which blocks are run: blocks [0, B) and [B, 2B) counted separately and merged equal blocks
[0, 2B). Forward passes are float32, all 2^n inputs of a layer batched as one (fan_out × fan_in)·(fan_in × 2^n)
product.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.rng import next_double, seed_sequence, xoshiro256_state

from .complexity import n_words
from .table import FunctionTable

ACTIVATIONS = ("linear", "relu", "tanh", "erf")
WEIGHTS = ("gaussian", "uniform", "orthogonal")
MAX_INPUTS = 20
_LINEAR, _RELU, _TANH, _ERF = range(4)
_GAUSSIAN, _UNIFORM, _ORTHOGONAL = range(3)
_A_ERF = math.sqrt(math.pi) / 2.0
_CHUNK_BYTES = 1 << 28


@dataclass(frozen=True)
class NetworkSpec:
    """The random-network ensemble: ``n`` inputs, hidden ``widths`` (empty: perceptron), ``activation``
    (:data:`ACTIVATIONS`), ``weights`` (:data:`WEIGHTS`), variances ``sigma_w2`` > 0 and ``sigma_b2`` ≥ 0."""

    n: int
    widths: tuple = (40, 40)
    activation: str = "relu"
    weights: str = "gaussian"
    sigma_w2: float = 1.0
    sigma_b2: float = 1.0

    def __post_init__(self):
        if isinstance(self.n, bool) or not isinstance(self.n, (int, np.integer)) or not 1 <= self.n <= MAX_INPUTS:
            raise ParameterError("n", self.n, f"an integer in [1, {MAX_INPUTS}]")
        try:
            widths = tuple(int(w) for w in self.widths)
        except (TypeError, ValueError):
            raise ParameterError("widths", self.widths, "a list of positive integers") from None
        if any(w < 1 for w in widths) or any(int(w) != w for w in self.widths):
            raise ParameterError("widths", self.widths, "a list of positive integers")
        object.__setattr__(self, "widths", widths)
        if self.activation not in ACTIVATIONS:
            raise ParameterError("activation", self.activation, ", ".join(ACTIVATIONS))
        if self.weights not in WEIGHTS:
            raise ParameterError("weights", self.weights, ", ".join(WEIGHTS))
        for name, positive in (("sigma_w2", True), ("sigma_b2", False)):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if isinstance(value, (bool, str)) or not math.isfinite(number) or number < 0 or (positive and number == 0):
                raise ParameterError(name, value, "a finite number > 0" if positive else "a finite number >= 0")
            object.__setattr__(self, name, number)

    @property
    def dims(self) -> np.ndarray:
        """Layer sizes (n, *widths, 1)."""
        return np.array((self.n, *self.widths, 1), dtype=np.int64)

    @property
    def n_words(self) -> int:
        """uint64 words per packed truth table."""
        return n_words(self.n)


def block_states(seed, first_block: int, n_blocks: int) -> np.ndarray:
    """(n_blocks, 4) uint64 xoshiro256** states of blocks first_block, …, first_block + n_blocks − 1."""
    if first_block < 0 or n_blocks < 0:
        raise ParameterError("blocks", (first_block, n_blocks), "non-negative first block and count")
    states = np.empty((n_blocks, 4), np.uint64)
    for i in range(n_blocks):
        states[i] = xoshiro256_state(seed_sequence(seed, first_block + i))
    return states


@njit(cache=True)
def _normals(state, out, count):
    """out[:count] ← standard normals by Marsaglia's polar method (both values of each accepted pair used):
    (v1, v2) uniform in the unit disc, s = v1² + v2², then v_k √(−2 ln s / s) are independent N(0, 1)."""
    i = 0
    while i < count:
        v1 = 2.0 * next_double(state) - 1.0
        v2 = 2.0 * next_double(state) - 1.0
        s = v1 * v1 + v2 * v2
        if s >= 1.0 or s == 0.0:
            continue
        f = math.sqrt(-2.0 * math.log(s) / s)
        out[i] = v1 * f
        if i + 1 < count:
            out[i + 1] = v2 * f
        i += 2


@njit(cache=True)
def _draw_layer(state, law, fan_in, fan_out, sigma_w, sigma_b, w, bias, g):
    """W (fan_out × fan_in, into ``w``) and b (into ``bias``) of one layer; ``g`` is float64 scratch."""
    count = fan_in * fan_out
    if law == _UNIFORM:
        half = math.sqrt(3.0 / fan_in) * sigma_w
        for i in range(fan_out):
            for j in range(fan_in):
                w[i, j] = np.float32((2.0 * next_double(state) - 1.0) * half)
    else:
        _normals(state, g, count)
        if law == _GAUSSIAN:
            scale = sigma_w / math.sqrt(fan_in)
            for i in range(fan_out):
                for j in range(fan_in):
                    w[i, j] = np.float32(scale * g[i * fan_in + j])
        else:
            m, k = max(fan_in, fan_out), min(fan_in, fan_out)
            for c in range(k):  # modified Gram–Schmidt on the k vectors g[c*m:(c+1)*m]
                for p in range(c):
                    dot = 0.0
                    for i in range(m):
                        dot += g[p * m + i] * g[c * m + i]
                    for i in range(m):
                        g[c * m + i] -= dot * g[p * m + i]
                norm = 0.0
                for i in range(m):
                    norm += g[c * m + i] ** 2
                norm = 1.0 / math.sqrt(norm)
                for i in range(m):
                    g[c * m + i] *= norm
            scale = sigma_w * math.sqrt(m / fan_in)
            for i in range(fan_out):
                for j in range(fan_in):
                    v = g[j * m + i] if fan_out >= fan_in else g[i * m + j]
                    w[i, j] = np.float32(scale * v)
    _normals(state, g, fan_out)
    for i in range(fan_out):
        bias[i] = np.float32(sigma_b * g[i])


@njit(cache=True)
def _affine(w, bias, x, y, fan_in, fan_out, n_in):
    """y[:fan_out] ← W x + b over all n_in input columns: the inner loop runs over inputs (contiguous, vectorised)
    and takes four input rows j per pass, y_i += (w_ij x_j + w_ij+1 x_j+1) + (w_ij+2 x_j+2 + w_ij+3 x_j+3)."""
    j4 = fan_in - fan_in % 4
    for i in range(fan_out):
        yi = y[i]
        b = bias[i]
        for a in range(n_in):
            yi[a] = b
        for j in range(0, j4, 4):
            w0, w1, w2, w3 = w[i, j], w[i, j + 1], w[i, j + 2], w[i, j + 3]
            x0, x1, x2, x3 = x[j], x[j + 1], x[j + 2], x[j + 3]
            for a in range(n_in):
                yi[a] += (w0 * x0[a] + w1 * x1[a]) + (w2 * x2[a] + w3 * x3[a])
        for j in range(j4, fan_in):
            wij = w[i, j]
            xj = x[j]
            for a in range(n_in):
                yi[a] += wij * xj[a]


@njit(cache=True)
def _activate(act, y, fan_out, n_in):
    if act == _LINEAR:
        return
    for i in range(fan_out):
        yi = y[i]
        if act == _RELU:
            for a in range(n_in):
                yi[a] = max(yi[a], np.float32(0.0))
        elif act == _TANH:
            for a in range(n_in):
                yi[a] = math.tanh(yi[a])
        else:
            for a in range(n_in):
                yi[a] = math.erf(np.float32(_A_ERF) * yi[a])


@njit(cache=True, parallel=True)
def sample_blocks(dims, act, law, sigma_w, sigma_b, states, block_size, out):
    """Networks of layer sizes ``dims`` for each block (row of ``states``, advanced in place); the truth table of
    network k of block b goes to row b·block_size + k of ``out`` (uint64, n_words columns). Parallel over blocks."""
    n = dims[0]
    n_in = 1 << n
    n_layers = dims.size - 1
    m_max = 0
    for d in dims:
        m_max = max(m_max, d)
    for blk in prange(states.shape[0]):
        state = states[blk].copy()
        x0 = np.empty((n, n_in), np.float32)
        for j in range(n):
            for a in range(n_in):
                x0[j, a] = np.float32((a >> (n - 1 - j)) & 1)
        ha = np.empty((m_max, n_in), np.float32)
        hb = np.empty((m_max, n_in), np.float32)
        w = np.empty((m_max, m_max), np.float32)
        bias = np.empty(m_max, np.float32)
        g = np.empty(m_max * m_max, np.float64)
        for k in range(block_size):
            src = x0
            for lay in range(n_layers):
                fan_in, fan_out = dims[lay], dims[lay + 1]
                _draw_layer(state, law, fan_in, fan_out, sigma_w, sigma_b, w, bias, g)
                dst = ha if lay % 2 == 0 else hb
                _affine(w, bias, src, dst, fan_in, fan_out, n_in)
                if lay < n_layers - 1:
                    _activate(act, dst, fan_out, n_in)
                src = dst
            row = out[blk * block_size + k]
            row[:] = 0
            for a in range(n_in):
                if src[0, a] > 0:
                    row[a >> 6] |= np.uint64(1) << np.uint64(a & 63)
        states[blk] = state


def _check_block_size(block_size):
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 1:
        raise ParameterError("block_size", block_size, "an integer >= 1")


def sample_functions(spec: NetworkSpec, states: np.ndarray, block_size: int) -> np.ndarray:
    """Truth tables (n_blocks·block_size, n_words) of the networks of the blocks whose xoshiro256** states are
    the rows of ``states`` (advanced in place, so a caller can checkpoint them)."""
    _check_block_size(block_size)
    states = np.asarray(states)
    if states.dtype != np.uint64 or states.ndim != 2 or states.shape[1] != 4 or not states.flags.c_contiguous:
        raise ParameterError("states", getattr(states, "shape", states), "a C-contiguous (n_blocks, 4) uint64 array")
    out = np.empty((states.shape[0] * block_size, spec.n_words), np.uint64)
    sample_blocks(spec.dims, ACTIVATIONS.index(spec.activation), WEIGHTS.index(spec.weights),
                  math.sqrt(spec.sigma_w2), math.sqrt(spec.sigma_b2), states, int(block_size), out)
    return out


def count_functions(spec: NetworkSpec, seed, first_block: int, n_blocks: int, block_size: int = 256,
                    table: FunctionTable | None = None, chunk_blocks: int = 256) -> FunctionTable:
    """Count the functions of blocks [first_block, first_block + n_blocks) into ``table`` (a new one if None),
    ``chunk_blocks`` blocks per kernel call (fewer if their truth tables would pass 256 MiB). A study resumes by
    calling again with first_block = the next block and the table rebuilt from its checkpointed arrays."""
    _check_block_size(block_size)
    table = FunctionTable(spec.n_words) if table is None else table
    if table.n_words != spec.n_words:
        raise ParameterError("table", f"{table.n_words} words", f"a table of {spec.n_words} words")
    chunk = max(1, min(int(chunk_blocks), _CHUNK_BYTES // (8 * spec.n_words * block_size)))
    for start in range(first_block, first_block + n_blocks, chunk):
        stop = min(first_block + n_blocks, start + chunk)
        table.add(sample_functions(spec, block_states(seed, start, stop - start), block_size))
    return table
