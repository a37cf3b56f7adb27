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
units drawn and the parameters, velocities and updates accumulated in float64. The kernel is serial Numba code:
its only threads are BLAS's, inside the products, so the numbers do not depend on the Numba thread count.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from statmech_nn.rng import next_double
from statmech_nn.samplers.rbm_gibbs import tempering_chain

#: Negative phases understood by :func:`epoch_kernel`, by code.
METHOD_CODES = {"cd": 0, "pcd": 1, "pt": 2}


#: 1.5 · 2^52: adding it rounds a double of magnitude < 2^51 to an integer, kept in the low bits of the sum.
_ROUNDER = 6755399441055744.0
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # ln 2 = hi + lo, hi with 32 bits
_LOG2E = 1.4426950408889634


@njit(cache=True, error_model="numpy")  # no zero-division check, which would keep a loop scalar
def logistic_row(field, bias, scale, out, work):
    """out[j] = σ(scale · (field[j] + bias[j])) = 1 / (1 + e^{-scale (field[j] + bias[j])}) for a row.

    e^y = 2^n e^r with n = round(y / ln 2), |r| ≤ ln 2 / 2 (Cody-Waite reduction), e^r by its Taylor series to
    r⁹/9! (relative error < 1e-11, so |out - σ| < 3e-12) and 2^n assembled in the exponent bits: loops without
    calls or branches, which the compiler vectorises (the C library's exp is a scalar call). |y| is capped at
    700, where σ is 0 or 1 to double precision; NaN stays NaN. ``work`` is a float64 scratch row."""
    bits = work.view(np.int64)
    for j in range(out.shape[0]):
        y = -scale * (np.float64(field[j]) + bias[j])
        y = min(max(y, -700.0), 700.0)
        shifted = y * _LOG2E + _ROUNDER
        n = shifted - _ROUNDER
        r = (y - n * _LN2_HI) - n * _LN2_LO
        out[j] = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (
            1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880)))))))))
        work[j] = shifted
    for j in range(out.shape[0]):
        bits[j] = (bits[j] + 1023) << 52  # the integer n sits in the low bits of shifted: 2^n
    for j in range(out.shape[0]):
        out[j] = 1.0 / (1.0 + out[j] * work[j])


@njit(cache=True)
def _draw_rows(field, bias, rows, offset, rng, spin, out, flips, p, work):
    """``out[r]`` for r < rows drawn with fields ``field[offset + r] + bias``: unit j is 1 (else 0; spin: ±1) if
    the j-th uniform of generator ``rng[r]`` is below σ(x_j) (spin: σ(2x_j)); ``flips[r]`` accumulates the number
    of units that changed. ``p`` and ``work`` are float64 scratch rows."""
    scale, off = (2.0, -1.0) if spin else (1.0, 0.0)
    for r in range(rows):
        logistic_row(field[offset + r], bias, scale, p, work)
        s = rng[r]
        for j in range(p.shape[0]):
            work[j] = next_double(s)
        changed = 0
        row = out[r]
        for j in range(p.shape[0]):
            new = 1.0 if work[j] < p[j] else off
            changed += new != row[j]
            row[j] = new
        flips[r] += changed


@njit(cache=True)
def _scaled_means(field, bias, first, rows, scale, spin, out, p, work):
    """``out[first + r] = scale · E[h | field[first + r] + bias]`` for r < rows: σ(x), or tanh(x) = 2σ(2x) - 1
    for ±1 units. ``p`` and ``work`` are float64 scratch rows."""
    for r in range(first, first + rows):
        row = out[r]
        if spin:
            logistic_row(field[r], bias, 2.0, p, work)
            for j in range(p.shape[0]):
                row[j] = scale * (2.0 * p[j] - 1.0)
        else:
            logistic_row(field[r], bias, 1.0, p, work)
            for j in range(p.shape[0]):
                row[j] = scale * p[j]


@njit(cache=True)
def _update(param, velocity, grad, eta, momentum):
    """u ← μ u + η g, θ ← θ + u, elementwise over 1-D arrays."""
    for i in range(param.shape[0]):
        velocity[i] *= momentum
        velocity[i] += eta * grad[i]
        param[i] += velocity[i]


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
    p, work = np.empty(max(n_v, n_h)), np.empty(max(n_v, n_h))  # scratch rows
    p_h, work_h = p[:n_h], work[:n_h]
    no_flips = np.zeros(n_chains, np.int64)
    grad_W = np.empty((n_v, n_h), np.float32)
    grad_a, grad_b, sum_pos, sum_neg = np.empty(n_v), np.empty(n_h), np.empty(n_v), np.empty(n_v)
    W32 = W.astype(np.float32)
    if method == 1:
        stacked_v[:n_chains] = chains[0]
    chain_steps = 0
    for start in range(0, data.shape[0], batch_size):
        n_b = min(batch_size, data.shape[0] - start)
        n_neg = n_b if method == 0 else n_chains
        end = n_neg + n_b
        for r in range(n_b):
            stacked_v[n_neg + r] = data[order[start + r]]
        if method == 0:
            stacked_v[:n_b] = stacked_v[n_b:end]
            np.dot(stacked_v[n_b:end], W32, field_h[n_b:end])
        elif method == 1:
            np.dot(stacked_v[:end], W32, field_h[:end])
        else:
            for c in range(n_chains):
                tempering_chain(W, a, b, betas, chains[:, c], rng[c], k, spin, accepted[:, c], flips[:, c])
            stacked_v[:n_chains] = chains[-1]
            np.dot(stacked_v[n_neg:end], W32, field_h[n_neg:end])
        _scaled_means(field_h, b, n_neg, n_b, 1.0 / n_b, spin, stacked_m, p_h, work_h)
        if method != 2:
            for step in range(k):
                if step > 0 or method == 1:
                    if step > 0:
                        np.dot(stacked_v[:n_neg], W32, field_h[:n_neg])
                    _draw_rows(field_h, b, n_neg, 0, rng, spin, hidden, no_flips, p_h, work_h)
                else:  # CD's first step: the chains are the examples, whose fields are known
                    _draw_rows(field_h, b, n_neg, n_neg, rng, spin, hidden, no_flips, p_h, work_h)
                np.dot(hidden[:n_neg], W32.T, field_v[:n_neg])
                _draw_rows(field_v, a, n_neg, 0, rng, spin, stacked_v, flips[0], p[:n_v], work[:n_v])
        chain_steps += k * n_neg
        np.dot(stacked_v[:n_neg], W32, field_h[:n_neg])
        _scaled_means(field_h, b, 0, n_neg, -1.0 / n_neg, spin, stacked_m, p_h, work_h)
        np.dot(stacked_v[:end].T, stacked_m[:end], grad_W)
        sum_pos[:] = 0.0
        sum_neg[:] = 0.0
        grad_b[:] = 0.0
        for r in range(end):  # row by row: contiguous, and the sums run over r in order
            sums = sum_neg if r < n_neg else sum_pos
            for i in range(n_v):
                sums[i] += stacked_v[r, i]
            for j in range(n_h):
                grad_b[j] += stacked_m[r, j]
        for i in range(n_v):
            grad_a[i] = sum_pos[i] / n_b - sum_neg[i] / n_neg
        for i in range(n_v):
            for j in range(n_h):
                w = W[i, j]
                g = np.float64(grad_W[i, j]) - (l2 * w + l1 * ((w > 0.0) - (w < 0.0)))
                u = vel_W[i, j] * momentum
                u += eta * g
                vel_W[i, j] = u
                W[i, j] = w + u
                W32[i, j] = W[i, j]
        _update(a, vel_a, grad_a, eta, momentum)
        _update(b, vel_b, grad_b, eta, momentum)
    if method == 1:
        chains[0] = stacked_v[:n_chains]
    return chain_steps
