"""Local minima of an RBM's free energy F(v) by zero-temperature single-flip descent.

F(v) = -aᵀv - Σ_j φ(b_j + (vᵀW)_j) (:mod:`statmech_nn.models.rbm`). Flipping visible unit i by δ
(δ = 1 - 2v_i for binary, -2v_i for spin units) changes the hidden fields by δ W_i· and F by

    ΔF_i = -a_i δ - Σ_j [φ(x_j + δ W_ij) - φ(x_j)],        x = b + vᵀW,

at O(n_hidden) cost with the fields kept up to date. A *local minimum* is a state that no single flip lowers
(ΔF_i ≥ 0 for all i). Two zero-temperature dynamics (``DESCENTS``):

* ``"steepest"``: flip the unit with the most negative ΔF (lowest index on ties) until none is negative.
  Deterministic, so every state has one minimum and the basins partition the 2^n states; for small
  n_visible :func:`exact_basins` follows the descent from every state.
* ``"random"``: sweep the units in a fresh random order (Fisher–Yates with the start's own generator) and flip
  every unit whose ΔF < 0 when visited, until a full sweep flips nothing (first improvement).

Start k is drawn uniformly with the xoshiro256** generator keyed by (seed, 0, k) (:mod:`statmech_nn.rng`), so
the minimum reached from start k does not depend on threads or on how the starts are split into calls.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, phi, states_of_index
from statmech_nn.rng import next_below, next_double, seed_sequence, xoshiro256_state

DESCENTS = ("steepest", "random")
#: Largest n_visible for which every state is enumerated (2^n descents).
MAX_EXACT_VISIBLE = 22


@njit(cache=True)
def _fields(W, b, v, out):
    out[:] = b
    for i in range(W.shape[0]):
        if v[i] != 0.0:
            for j in range(W.shape[1]):
                out[j] += v[i] * W[i, j]


@njit(cache=True)
def _free_energy(W, a, v, field, spin):
    f = 0.0
    for i in range(W.shape[0]):
        f -= a[i] * v[i]
    for j in range(W.shape[1]):
        f -= phi(field[j], spin)
    return f


@njit(cache=True)
def _step(v, i, spin):
    """δ of flipping unit i."""
    return -2.0 * v[i] if spin else 1.0 - 2.0 * v[i]


@njit(cache=True)
def flip_delta(W, a, v, field, i, spin):
    """ΔF of flipping visible unit i (see the module docstring)."""
    d = _step(v, i, spin)
    delta = -a[i] * d
    for j in range(W.shape[1]):
        delta -= phi(field[j] + d * W[i, j], spin) - phi(field[j], spin)
    return delta


@njit(cache=True)
def _flip(W, v, field, i, spin):
    d = _step(v, i, spin)
    v[i] += d
    for j in range(W.shape[1]):
        field[j] += d * W[i, j]


@njit(cache=True)
def steepest_flip(W, a, v, field, spin):
    """The unit whose flip lowers F most (lowest index on ties), or -1 at a local minimum."""
    best, best_i = 0.0, -1
    for i in range(W.shape[0]):
        d = flip_delta(W, a, v, field, i, spin)
        if d < best:
            best, best_i = d, i
    return best_i


@njit(cache=True)
def _descend(W, a, v, field, spin, steepest, s, order):
    """Descend from ``v`` in place (fields kept current); returns the number of flips."""
    n = W.shape[0]
    flips = 0
    while True:
        if steepest:
            i = steepest_flip(W, a, v, field, spin)
            if i < 0:
                return flips
            _flip(W, v, field, i, spin)
            flips += 1
            continue
        for k in range(n):  # Fisher–Yates shuffle of the sweep order
            order[k] = k
        for k in range(n - 1, 0, -1):
            r = next_below(s, k + 1)
            order[k], order[r] = order[r], order[k]
        changed = 0
        for k in range(n):
            if flip_delta(W, a, v, field, order[k], spin) < 0.0:
                _flip(W, v, field, order[k], spin)
                changed += 1
        flips += changed
        if changed == 0:
            return flips


@njit(cache=True, parallel=True)
def descent_kernel(W, a, b, rng, spin, steepest, ends, free_energy, flips):
    """One descent per row of ``rng`` (start k's generator): random start, descent; ``ends[k]`` receives the
    minimum, ``free_energy[k]`` its F, ``flips[k]`` the number of flips."""
    n_v, n_h = W.shape
    low = -1.0 if spin else 0.0
    for k in prange(rng.shape[0]):
        s = rng[k]
        v = np.empty(n_v)
        for i in range(n_v):
            v[i] = 1.0 if next_double(s) < 0.5 else low
        field = np.empty(n_h)
        order = np.empty(n_v, np.int64)
        _fields(W, b, v, field)
        flips[k] = _descend(W, a, v, field, spin, steepest, s, order)
        free_energy[k] = _free_energy(W, a, v, field, spin)
        for i in range(n_v):
            ends[k, i] = np.int8(v[i])


def check_descent(descent: str) -> bool:
    """Validate a descent name; True for steepest descent."""
    if descent not in DESCENTS:
        raise ParameterError("descent", descent, "one of " + ", ".join(DESCENTS))
    return descent == "steepest"


def descend(model: RBM, seed, first: int, count: int, descent: str = "steepest"):
    """Descents from starts ``first .. first + count - 1`` of ``seed``: (minima int8 (count, n_visible),
    their F (count,), flips (count,) int64)."""
    steepest = check_descent(descent)
    rng = np.array([xoshiro256_state(seed_sequence(seed, 0, k)) for k in range(first, first + count)],
                   np.uint64).reshape(count, 4)
    ends = np.empty((count, model.n_visible), np.int8)
    free_energy = np.empty(count)
    flips = np.empty(count, np.int64)
    descent_kernel(model.weights, model.visible_bias, model.hidden_bias, rng, model.spin, steepest, ends,
                   free_energy, flips)
    return ends, free_energy, flips


def unique_minima(ends: np.ndarray, free_energy: np.ndarray):
    """Distinct minima among descent end points, sorted by F: (minima (m, n), F (m,), fraction of the
    end points reaching each (m,), index of each end point's minimum (len(ends),))."""
    minima, first, inverse, counts = np.unique(ends, axis=0, return_index=True, return_inverse=True,
                                               return_counts=True)
    order = np.lexsort((np.arange(len(minima)), free_energy[first]))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return minima[order], free_energy[first][order], counts[order] / len(ends), rank[inverse.ravel()]


def is_local_minimum(model: RBM, v) -> np.ndarray:
    """True for configurations (..., n_visible) that no single flip lowers (bool array over the batch)."""
    v = np.asarray(model.states(v, model.n_visible, "v"), dtype=np.float64)
    flat = v.reshape(-1, model.n_visible)
    out = np.empty(len(flat), bool)
    for k, x in enumerate(flat):
        field = np.empty(model.n_hidden)
        _fields(model.weights, model.hidden_bias, x, field)
        out[k] = steepest_flip(model.weights, model.visible_bias, x.copy(), field, model.spin) < 0
    return out.reshape(v.shape[:-1])


@njit(cache=True, parallel=True)
def _all_states(W, a, b, spin, free_energy, successor):
    """F of every state (index bit i = unit i) and the state its steepest-descent flip leads to (itself at a
    local minimum)."""
    n_v, n_h = W.shape
    low = -1.0 if spin else 0.0
    for r in prange(free_energy.shape[0]):
        v = np.empty(n_v)
        for i in range(n_v):
            v[i] = 1.0 if (r >> i) & 1 else low
        field = np.empty(n_h)
        _fields(W, b, v, field)
        free_energy[r] = _free_energy(W, a, v, field, spin)
        i = steepest_flip(W, a, v, field, spin)
        successor[r] = r if i < 0 else r ^ (1 << i)


def landscape_table(model: RBM):
    """(F of all 2^n visible states, steepest-descent successor of each); index r is
    ``states_of_index(r, n_visible, units)``."""
    if model.n_visible > MAX_EXACT_VISIBLE:
        raise ParameterError("n_visible", model.n_visible, f"at most {MAX_EXACT_VISIBLE} to enumerate all states")
    free_energy = np.empty(2**model.n_visible)
    successor = np.empty(2**model.n_visible, np.int64)
    _all_states(model.weights, model.visible_bias, model.hidden_bias, model.spin, free_energy, successor)
    return free_energy, successor


def basin_labels(successor: np.ndarray) -> np.ndarray:
    """The local minimum (state index) that steepest descent reaches from every state, by pointer doubling."""
    end = successor.copy()
    while True:
        nxt = end[end]
        if np.array_equal(nxt, end):
            return end
        end = nxt


def exact_basins(model: RBM):
    """All local minima by enumeration, sorted by F: (state indices (m,), minima (m, n_visible) int8, F (m,),
    exact steepest-descent basin sizes (m,) as fractions of the 2^n states (summing to 1))."""
    free_energy, successor = landscape_table(model)
    labels = basin_labels(successor)
    index, counts = np.unique(labels, return_counts=True)
    order = np.lexsort((index, free_energy[index]))
    index, counts = index[order], counts[order]
    minima = states_of_index(index, model.n_visible, model.units).astype(np.int8)
    return index, minima, free_energy[index], counts / free_energy.size
