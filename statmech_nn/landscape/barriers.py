"""Lowest barriers between local minima of F(v) over single-flip paths.

The barrier level between minima A and B is the minimax (saddle) value

    F*(A, B) = min over single-flip paths A → B of max_{v on path} F(v),

and the barrier height seen from A is F*(A, B) - F(A). Minimax values are an ultrametric: they are fixed by
a minimum spanning tree of the minima (the merge events of a disconnectivity graph; Becker & Karplus 1997,
Wales 2003), so both methods below return such a tree as ``(edges (m-1, 2) of minima ranks, levels (m-1,))``.

* :func:`exact_merges` (n_visible ≤ :data:`~statmech_nn.landscape.descent.MAX_EXACT_VISIBLE`): all 2^n states
  are added in increasing F (ties by index), each joined by union–find to its already added single-flip
  neighbours (Kruskal's algorithm on the hypercube with edge weight max(F_u, F_v)). A state that joins no one
  starts a component: it is a local minimum. A state that joins two components holding minima A and B is the
  lowest saddle between them and its F is F*(A, B). Exact.
* :func:`path_merges` (any size): for every pair of minima a greedy direct path flips, one at a time, the
  differing unit whose flip gives the lowest F, in both directions; the lower of the two path maxima is an
  upper bound on F*(A, B); the minimum spanning tree of these bounds (single linkage) gives the merges.
  Heuristic: barriers are upper bounds, paths never leave the Hamming box between A and B.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM

from .descent import _fields, _flip, _free_energy, flip_delta


@njit(cache=True)
def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@njit(cache=True)
def _kruskal_states(free_energy, order, n, merge_a, merge_b, merge_level, born):
    """Union–find over states in ``order``; fills merge events (lowest-F state of each merged component) and
    ``born`` (1 for states that start a component); returns the number of merges."""
    parent = np.full(free_energy.shape[0], -1, np.int64)  # -1: not added yet
    lowest = np.empty(free_energy.shape[0], np.int64)     # a root's component's first (lowest) state
    n_merges = 0
    for s in order:
        root = -1
        for i in range(n):
            t = s ^ (1 << i)
            if parent[t] < 0:
                continue
            r = _find(parent, t)
            if root < 0:
                root = r
            elif r != root:
                merge_a[n_merges], merge_b[n_merges] = lowest[root], lowest[r]
                merge_level[n_merges] = free_energy[s]
                n_merges += 1
                # the component born first keeps its lowest state as representative
                if free_energy[lowest[r]] < free_energy[lowest[root]] or (
                        free_energy[lowest[r]] == free_energy[lowest[root]] and lowest[r] < lowest[root]):
                    parent[root] = r
                    root = r
                else:
                    parent[r] = root
        if root < 0:
            parent[s] = s
            lowest[s] = s
            born[s] = 1
        else:
            parent[s] = root
    return n_merges


def exact_merges(free_energy: np.ndarray, minima_index: np.ndarray):
    """Exact merge tree of the minima (state indices ``minima_index``, sorted by F) from the table of F over
    all 2^n states: (edges (m-1, 2) int64 of ranks into ``minima_index``, saddle levels (m-1,))."""
    size = free_energy.size
    n = size.bit_length() - 1
    order = np.lexsort((np.arange(size), free_energy))
    merge_a = np.empty(size, np.int64)
    merge_b = np.empty(size, np.int64)
    level = np.empty(size)
    born = np.zeros(size, np.int8)
    count = _kruskal_states(free_energy, order, n, merge_a, merge_b, level, born)
    if not np.array_equal(np.flatnonzero(born), np.sort(minima_index)):
        raise ParameterError("model", "a free energy with exactly degenerate neighbouring states",
                             "local minima that are strict (no single flip keeps F equal)")
    rank = np.full(size, -1, np.int64)
    rank[minima_index] = np.arange(len(minima_index))
    return np.stack([rank[merge_a[:count]], rank[merge_b[:count]]], axis=1).reshape(count, 2), level[:count]


@njit(cache=True)
def _greedy_path_max(W, a, b, start, target, spin):
    """Max F along the greedy direct single-flip path from ``start`` to ``target``."""
    v = start.copy()
    field = np.empty(W.shape[1])
    _fields(W, b, v, field)
    f = _free_energy(W, a, v, field, spin)
    top = f
    while True:
        best, best_i = np.inf, -1
        for i in range(v.shape[0]):
            if v[i] != target[i]:
                d = flip_delta(W, a, v, field, i, spin)
                if d < best:
                    best, best_i = d, i
        if best_i < 0:
            return top
        _flip(W, v, field, best_i, spin)
        f += best
        top = max(top, f)


def path_barriers(model: RBM, minima: np.ndarray) -> np.ndarray:
    """Symmetric (m, m) upper bounds on F*(A, B) from greedy direct paths in both directions (diagonal: F)."""
    v = np.asarray(model.states(minima, model.n_visible, "minima"), dtype=np.float64)
    m = len(v)
    out = np.empty((m, m))
    for i in range(m):
        out[i, i] = model.free_energy(v[i])
        for j in range(i):
            forward = _greedy_path_max(model.weights, model.visible_bias, model.hidden_bias, v[i], v[j], model.spin)
            back = _greedy_path_max(model.weights, model.visible_bias, model.hidden_bias, v[j], v[i], model.spin)
            out[i, j] = out[j, i] = min(forward, back)
    return out


def spanning_merges(barriers: np.ndarray):
    """Minimum spanning tree (Kruskal) of the complete graph of minima weighted by ``barriers``:
    the merges (edges (m-1, 2), levels (m-1,)) of single-linkage clustering."""
    m = len(barriers)
    i, j = np.triu_indices(m, 1)
    parent = np.arange(m)
    edges, levels = [], []
    for k in np.lexsort((j, i, barriers[i, j])):
        ri, rj = _find(parent, i[k]), _find(parent, j[k])
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
            edges.append((i[k], j[k]))
            levels.append(barriers[i[k], j[k]])
    return np.array(edges, np.int64).reshape(-1, 2), np.array(levels, np.float64)


def path_merges(model: RBM, minima: np.ndarray):
    """Heuristic merge tree from :func:`path_barriers` (see the module docstring)."""
    return spanning_merges(path_barriers(model, minima))


def barrier_matrix(free_energy: np.ndarray, edges: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The minimax saddle levels F*(A, B) implied by a merge tree (diagonal: F of the minima)."""
    m = len(free_energy)
    out = np.diag(np.asarray(free_energy, dtype=np.float64))
    members = [[k] for k in range(m)]
    owner = list(range(m))
    for (p, q), level in sorted(zip(map(tuple, edges), levels), key=lambda e: e[1]):
        gp, gq = owner[p], owner[q]
        for x in members[gp]:
            out[x, members[gq]] = level
            out[members[gq], x] = level
        for x in members[gq]:
            owner[x] = gp
        members[gp] += members[gq]
        members[gq] = []
    return out
