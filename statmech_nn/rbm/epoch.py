"""One training epoch of an RBM in a single Numba call: minibatch gradients and updates without Python in between.

Per minibatch of n_b examples v⁺ (rows of ``data`` in the epoch's ``order``) and C negative chains v⁻ (cd: a copy
of the minibatch, C = n_b; pcd, pt: the persistent chains) the weight gradient

    g_ij = (1/n_b) Σ_{v⁺} v_i m_j(v) - (1/C) Σ_{v⁻} v_i m_j(v),   m_j(v) = E[h_j | v] = σ(x_j) or tanh(x_j),

with x = b + vᵀW, is one matrix product [v⁻; v⁺]ᵀ [-m(v⁻)/C; m(v⁺)/n_b] over the stacked rows (Hinton 2002,
Tieleman 2008; the update rule is :mod:`statmech_nn.rbm.train`'s). cd and pcd chains take k block Gibbs steps:
unit j of chain c is 1 (else 0, or -1 for ±1 units) if the next uniform of generator ``rng[c]`` is below σ(x_j)
(σ(2x_j) for ±1 units), hidden units then visible units, each in order; CD's first step reuses the fields of the
examples, which the gradient needs anyway. pt advances each ensemble with
:func:`statmech_nn.samplers.rbm_gibbs.tempering_chain` on the float64 weights and takes its β = 1 replicas.

Precision: the matrix products (fields and the minibatch sums of the gradient) are float32 BLAS calls on a float32
copy of W, refreshed after every update; biases are added, σ and tanh evaluated (:func:`logistic_row`, to 3e-12),
units drawn and the parameters, velocities and updates accumulated in float64.

Threads: each step splits its rows into blocks fixed by the sizes alone (:data:`SPLITS`), run on the Numba threads:
a block of examples or chains is one BLAS call for its fields, then the means or draws of its rows; a block of
visible units is one BLAS call for its rows of the weight gradient, then the update of its rows of W and of its
visible biases. Sums over the rows of a minibatch run in row order. So the numbers do not depend on the Numba
thread count. The blocks of a split product stay on the BLAS's large-product path (:data:`BLOCK_WORK`), where a
split changes no entry: with OpenBLAS (on one thread, as studies run) the numbers are those of unsplit products.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from statmech_nn.rng import next_double
from statmech_nn.samplers.rbm_gibbs import tempering_chain
from statmech_nn.vecmath import LN2_HI, LN2_LO, LOG2E, ROUNDER, two_to_n

#: Negative phases understood by :func:`epoch_kernel`, by code.
METHOD_CODES = {"cd": 0, "pcd": 1, "pt": 2}


@njit(cache=True, error_model="numpy")  # no zero-division check, which would keep a loop scalar
def logistic_row(field, bias, scale, out, work):
    """out[j] = σ(scale · (field[j] + bias[j])) = 1 / (1 + e^{-scale (field[j] + bias[j])}) for a row.

    e^y = 2^n e^r with n = round(y / ln 2), |r| ≤ ln 2 / 2 (Cody-Waite reduction), e^r by its Taylor series to
    r⁹/9! (relative error < 1e-11, so |out - σ| < 3e-12) and 2^n assembled in the exponent bits: loops without
    calls or branches, which the compiler vectorises (the C library's exp is a scalar call). |y| is capped at
    700, where σ is 0 or 1 to double precision; NaN stays NaN. ``work`` is a float64 scratch row (the reduction
    of :mod:`statmech_nn.vecmath`, with a shorter series)."""
    for j in range(out.shape[0]):
        y = -scale * (np.float64(field[j]) + bias[j])
        y = min(max(y, -700.0), 700.0)
        shifted = y * LOG2E + ROUNDER
        n = shifted - ROUNDER
        r = (y - n * LN2_HI) - n * LN2_LO
        out[j] = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (
            1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880)))))))))
        work[j] = shifted
    two_to_n(work, out.shape[0])
    for j in range(out.shape[0]):
        out[j] = 1.0 / (1.0 + out[j] * work[j])


#: How a step over many rows (examples, chains; visible units for the weight gradient) is split across the Numba
#: threads: (blocks, least rows per block), tried in order, else one block. The split is fixed by the sizes alone,
#: never by the thread count. Every BLAS call packs the whole operand it does not split (W, or the means for the
#: weight gradient), which costs about as much as 20-25 rows of the product: hence few, large blocks, in even
#: numbers to balance two or four threads.
SPLITS = ((4, 128), (2, 32))

#: Least multiply-adds per block of a split matrix product. BLAS libraries compute small products on another code
#: path, which sums in another order (OpenBLAS on x86-64: M·N·K ≤ 100³, without splitting the sum over K), so a
#: product is split only into blocks that stay on the large-product path, where each entry is the same sum as in
#: the unsplit product.
BLOCK_WORK = 1 << 21


@njit(cache=True)
def _n_blocks(rows, work_per_row):
    """The number of near-equal blocks (:data:`SPLITS`, :data:`BLOCK_WORK`) of a product over ``rows`` rows."""
    least_rows = (BLOCK_WORK + work_per_row - 1) // work_per_row
    for n_blocks, least in SPLITS:
        if rows >= n_blocks * max(least, least_rows):
            return n_blocks
    return 1


@njit(cache=True)
def _bounds(block, n_blocks, lo, hi):
    """Rows [first, last) of block ``block`` of ``n_blocks`` near-equal blocks of rows [lo, hi)."""
    return lo + block * (hi - lo) // n_blocks, lo + (block + 1) * (hi - lo) // n_blocks


@njit(cache=True, inline="always")
def _draw_row(field, bias, s, spin, out, p, work):
    """``out`` drawn with fields ``field + bias``: unit j is 1 (else 0; spin: ±1) if the j-th uniform of
    generator ``s`` is below σ(x_j) (spin: σ(2x_j)). Returns the number of units that changed; ``p`` and ``work``
    are float64 scratch rows."""
    scale, off = (2.0, -1.0) if spin else (1.0, 0.0)
    logistic_row(field, bias, scale, p, work)
    for j in range(p.shape[0]):
        work[j] = next_double(s)
    changed = 0
    for j in range(p.shape[0]):
        new = 1.0 if work[j] < p[j] else off
        changed += new != out[j]
        out[j] = new
    return changed


@njit(cache=True, inline="always")
def _mean_row(field, bias, scale, spin, out, p, work):
    """``out = scale · E[h | field + bias]``: σ(x), or tanh(x) = 2σ(2x) - 1 for ±1 units."""
    if spin:
        logistic_row(field, bias, 2.0, p, work)
        for j in range(p.shape[0]):
            out[j] = scale * (2.0 * p[j] - 1.0)
    else:
        logistic_row(field, bias, 1.0, p, work)
        for j in range(p.shape[0]):
            out[j] = scale * p[j]


@njit(cache=True)
def _layer_block(lo, hi, v, w, transposed, field, bias, spin, mean_from, scale, means, draw_from, draw_to, rng,
                 units, flips, p, work):
    """Rows lo <= r < hi of :func:`_layer`."""
    if transposed:
        np.dot(v[lo:hi], w.T, field[lo:hi])
    else:
        np.dot(v[lo:hi], w, field[lo:hi])
    p, work = p[:field.shape[1]], work[:field.shape[1]]
    for r in range(lo, hi):
        if r >= mean_from:
            _mean_row(field[r], bias, scale, spin, means[r], p, work)
        if draw_from <= r < draw_to:
            c = r - draw_from
            flips[c] += _draw_row(field[r], bias, rng[c], spin, units[c], p, work)


@njit(cache=True, parallel=True)
def _layer(v, w, transposed, field, lo, hi, bias, spin, mean_from, scale, means, draw_from, draw_to, rng, units,
           flips, scratch):
    """For rows lo <= r < hi: ``field[r] = v[r] @ w`` (``w.T`` if ``transposed``), then ``means[r] = scale ·
    E[h | field[r] + bias]`` if r >= ``mean_from``, and for draw_from <= r < draw_to the units ``units[c]`` of chain
    c = r - draw_from drawn from ``field[r] + bias`` with generator ``rng[c]``, ``flips[c]`` counting the units that
    changed. The rows run in :func:`_n_blocks` blocks, one float32 BLAS call each, in parallel; block i has the two
    float64 scratch rows ``scratch[i]``."""
    n_blocks = _n_blocks(hi - lo, w.shape[0] * w.shape[1])
    if n_blocks == 1:
        _layer_block(lo, hi, v, w, transposed, field, bias, spin, mean_from, scale, means, draw_from, draw_to, rng,
                     units, flips, scratch[0, 0], scratch[0, 1])
        return
    for block in prange(n_blocks):
        first, last = _bounds(block, n_blocks, lo, hi)
        _layer_block(first, last, v, w, transposed, field, bias, spin, mean_from, scale, means, draw_from, draw_to,
                     rng, units, flips, scratch[block, 0], scratch[block, 1])


@njit(cache=True)
def _update_block(lo, hi, stacked_v, stacked_m, n_neg, n_b, columns, sums, W, W32, vel_W, grad_W, a, vel_a, eta,
                  momentum, l1, l2):
    """Visible units lo <= i < hi of a minibatch update: their rows of the weight gradient (one BLAS call on
    ``stacked_v``, or on a contiguous copy ``columns`` of their columns of it), of W, of the float32 copy ``W32``,
    and their visible biases, whose sums over the stacked rows run in row order (``sums``: two float64 rows)."""
    end, n_h = n_neg + n_b, W.shape[1]
    if hi - lo == stacked_v.shape[1]:
        v = stacked_v[:end]
    else:
        v = columns[end * lo:end * hi].reshape((end, hi - lo))
        for r in range(end):
            for i in range(lo, hi):
                v[r, i - lo] = stacked_v[r, i]
    np.dot(v.T, stacked_m[:end], grad_W[lo:hi])
    for i in range(lo, hi):
        w_row, w32_row, vel_row, g_row = W[i], W32[i], vel_W[i], grad_W[i]
        for j in range(n_h):
            w = w_row[j]
            g = np.float64(g_row[j]) - (l2 * w + l1 * ((w > 0.0) - (w < 0.0)))
            u = vel_row[j] * momentum
            u += eta * g
            vel_row[j] = u
            w_row[j] = w + u
            w32_row[j] = w_row[j]
    sum_neg, sum_pos = sums[0, lo:hi], sums[1, lo:hi]
    sum_neg[:] = 0.0
    sum_pos[:] = 0.0
    for r in range(end):  # row by row: contiguous, and the sums run over r in order
        row, total = v[r], sum_neg if r < n_neg else sum_pos
        for i in range(hi - lo):
            total[i] += row[i]
    for i in range(lo, hi):
        u = vel_a[i] * momentum
        u += eta * (sum_pos[i - lo] / n_b - sum_neg[i - lo] / n_neg)
        vel_a[i] = u
        a[i] += u


@njit(cache=True, parallel=True)
def _update(stacked_v, stacked_m, n_neg, n_b, columns, sums, W, W32, vel_W, grad_W, a, vel_a, eta, momentum, l1,
            l2):
    """One minibatch update of W and the visible biases, u ← μ u + η g, θ ← θ + u: :func:`_update_block` in
    :func:`_n_blocks` blocks of visible units, in parallel."""
    n_v = W.shape[0]
    n_blocks = _n_blocks(n_v, (n_neg + n_b) * W.shape[1])
    if n_blocks == 1:
        _update_block(np.int64(0), n_v, stacked_v, stacked_m, n_neg, n_b, columns, sums, W, W32, vel_W, grad_W, a,
                      vel_a, eta, momentum, l1, l2)
    else:
        for block in prange(n_blocks):
            lo, hi = _bounds(block, n_blocks, 0, n_v)
            _update_block(lo, hi, stacked_v, stacked_m, n_neg, n_b, columns, sums, W, W32, vel_W, grad_W, a, vel_a,
                          eta, momentum, l1, l2)


@njit(cache=True)
def _update_hidden_bias(stacked_m, end, b, vel_b, grad_b, eta, momentum):
    """u ← μ u + η g, b ← b + u with g = Σ_r stacked_m[r], summed over the rows r < end in order."""
    grad_b[:] = 0.0
    for r in range(end):
        for j in range(grad_b.shape[0]):
            grad_b[j] += stacked_m[r, j]
    for j in range(grad_b.shape[0]):
        vel_b[j] *= momentum
        vel_b[j] += eta * grad_b[j]
        b[j] += vel_b[j]


@njit(cache=True)
def epoch_kernel(data, order, batch_size, W, a, b, vel_W, vel_a, vel_b, chains, rng, method, k, spin, betas,
                 eta, momentum, l1, l2, flips, accepted):
    """One epoch over ``data[order]`` (float32 rows) in minibatches of ``batch_size``, updating the float64
    parameters ``W``, ``a``, ``b``, their velocities, ``chains`` (T, C, n_visible; pcd, pt) and ``rng`` in place.
    ``method`` is a :data:`METHOD_CODES` value; ``flips`` (T, C) and ``accepted`` (T-1, C) accumulate unit changes
    and accepted swaps. Returns the number of chain steps taken (chains × k, summed over minibatches)."""
    n_v, n_h = W.shape
    n_chains = batch_size if method == 0 else chains.shape[1]
    rows = n_chains + batch_size
    stacked_v = np.empty((rows, n_v), np.float32)  # [v⁻; v⁺]
    stacked_m = np.empty((rows, n_h), np.float32)  # [-m(v⁻)/C; m(v⁺)/n_b]
    field_h = np.empty((rows, n_h), np.float32)
    field_v = np.empty((n_chains, n_v), np.float32)
    hidden = np.zeros((n_chains, n_h), np.float32)
    columns = np.empty(rows * n_v, np.float32)  # the weight gradient's operand, by blocks of visible units
    sums = np.empty((2, n_v))  # the visible units' sums over the chains and over the examples
    no_flips = np.zeros(n_chains, np.int64)
    grad_W = np.empty((n_v, n_h), np.float32)
    grad_b = np.empty(n_h)
    scratch = np.empty((SPLITS[0][0], 2, max(n_v, n_h)))  # two float64 rows per block
    W32 = W.astype(np.float32)
    # arguments typed at run time: literal ones would compile more specialisations of the parallel functions
    zero, plain, transposed = np.int64(0), np.bool_(False), np.bool_(True)
    if method == 1:
        stacked_v[:n_chains] = chains[0]
    chain_steps = 0
    for start in range(0, data.shape[0], batch_size):
        n_b = min(batch_size, data.shape[0] - start)
        n_neg = n_b if method == 0 else n_chains
        end = n_neg + n_b
        for r in range(n_b):
            stacked_v[n_neg + r] = data[order[start + r]]
        pos = 1.0 / n_b
        if method == 0:  # the examples' fields and means; CD's first step draws the chains (= examples) from them
            stacked_v[:n_b] = stacked_v[n_b:end]
            _layer(stacked_v, W32, plain, field_h, n_b, end, b, spin, n_b, pos, stacked_m, n_b, end, rng,
                   hidden, no_flips, scratch)
        elif method == 1:  # one product for chains and examples: the chains' first step, the examples' means
            _layer(stacked_v, W32, plain, field_h, zero, end, b, spin, n_neg, pos, stacked_m, zero, n_neg, rng,
                   hidden, no_flips, scratch)
        else:
            for c in range(n_chains):
                tempering_chain(W, a, b, betas, chains[:, c], rng[c], k, spin, accepted[:, c], flips[:, c])
            stacked_v[:n_chains] = chains[-1]
            _layer(stacked_v, W32, plain, field_h, n_neg, end, b, spin, n_neg, pos, stacked_m, zero, zero, rng,
                   hidden, no_flips, scratch)
        if method != 2:
            for step in range(k):
                if step > 0:
                    _layer(stacked_v, W32, plain, field_h, zero, n_neg, b, spin, n_neg, pos, stacked_m, zero, n_neg,
                           rng, hidden, no_flips, scratch)
                _layer(hidden, W32, transposed, field_v, zero, n_neg, a, spin, n_neg, pos, field_v, zero, n_neg,
                       rng, stacked_v, flips[0], scratch)
        chain_steps += k * n_neg
        _layer(stacked_v, W32, plain, field_h, zero, n_neg, b, spin, zero, -1.0 / n_neg, stacked_m, zero, zero,
               rng, hidden, no_flips, scratch)
        _update(stacked_v, stacked_m, n_neg, n_b, columns, sums, W, W32, vel_W, grad_W, a, vel_a, eta, momentum, l1,
                l2)
        _update_hidden_bias(stacked_m, end, b, vel_b, grad_b, eta, momentum)
    if method == 1:
        chains[0] = stacked_v[:n_chains]
    return chain_steps
