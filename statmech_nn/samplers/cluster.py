"""Cluster updates for the periodic square-lattice Ising model (see :mod:`statmech_nn.models.ising`).

Bond (i, j) is *satisfied* when J s_i s_j > 0 and is activated with probability p = 1 - exp(-2β|J|), so
J < 0 (antiferromagnet, also frustrated on odd L) is handled like J > 0. The field h never enters cluster
construction; it decides whether a cluster is flipped.

* Wolff, Phys. Rev. Lett. 62, 361 (1989): grow one cluster from a uniform random seed and flip it,
  accepted with probability min(1, exp(-β ΔE_h)), ΔE_h = 2h Σ_{i∈C} s_i (spins before the flip).
  A sweep is a fixed number of cluster updates chosen before measuring (see :func:`wolff_chunk`).
* Swendsen & Wang, Phys. Rev. Lett. 58, 86 (1987): decide every bond, label all clusters, and flip each
  cluster with the heat-bath probability 1 / (1 + exp(β ΔE_h)) (1/2 at h = 0).

Kernels keep no state besides ``spins`` and ``rng``, so a run split into chunks is bit-identical to one call.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from statmech_nn.models.ising import energy_magnetization
from statmech_nn.rng import next_below, next_double


@njit(cache=True)
def _bond_probability(beta, J):
    return -math.expm1(-2.0 * beta * abs(J))


@njit(cache=True)
def _neighbour(r, c, d, rows, cols):
    """Site (r, c) moved one step in direction d = 0, 1, 2, 3 (+x̂, -x̂, +ŷ, -ŷ), periodically."""
    if d == 0:
        return r, c + 1 if c + 1 < cols else 0
    if d == 1:
        return r, c - 1 if c > 0 else cols - 1
    if d == 2:
        return r + 1 if r + 1 < rows else 0, c
    return r - 1 if r > 0 else rows - 1, c


@njit(cache=True)
def wolff_chunk(spins, rng, beta, J, h, sweeps_per_row, clusters_per_sweep, energy_out, magnetization_out):
    """Wolff single-cluster updates; returns (cluster updates made, spins in the clusters grown).

    One *sweep* is ``clusters_per_sweep`` cluster updates (K ≈ L²/⟨|C|⟩, fixed by the caller, so a sweep
    costs about one local sweep). ``clusters_per_sweep = 0`` is the calibration mode used during burn-in
    only: grow clusters until they hold ≥ L² spins. That stopping rule depends on the cluster sizes and
    biases the state it stops in towards order, so it must never be used for measurements.
    After every ``sweeps_per_row`` sweeps E/L² and M/L² go to the next slot of ``energy_out`` /
    ``magnetization_out``. ``spins`` (int8 ±1, (L, L)) and ``rng`` (xoshiro256** ``uint64[4]``) are
    updated in place.
    """
    if magnetization_out.shape[0] != energy_out.shape[0]:
        raise ValueError("energy_out and magnetization_out must have the same length")
    rows, cols = spins.shape
    n = rows * cols
    p = _bond_probability(beta, J)
    has_bonds = p > 0.0
    sign = 1 if J > 0 else -1  # a neighbour j of i is bonded when s_j == sign * s_i
    # The cluster in growth order: the FIFO work list, then the list to flip. One spare slot, because
    # every neighbour is written at the tail and kept only if it joins (a branchless push).
    queue_r = np.empty(n + 1, np.int32)
    queue_c = np.empty(n + 1, np.int32)
    clusters_total = 0
    grown_total = 0
    for row in range(energy_out.shape[0]):
        for _ in range(sweeps_per_row):
            grown = 0
            clusters = 0
            while (clusters < clusters_per_sweep) if clusters_per_sweep > 0 else (grown < n):
                seed = next_below(rng, n)
                r = seed // cols
                c = seed - r * cols
                spins[r, c] *= 2  # cluster members hold 2 s until the cluster is resolved
                queue_r[0] = r
                queue_c[0] = c
                size = 1
                head = 0
                spin_sum = 0
                while head < size:
                    r = queue_r[head]
                    c = queue_c[head]
                    head += 1
                    s = spins[r, c] >> 1
                    spin_sum += s
                    if has_bonds:
                        partner = sign * s  # members (±2) never equal it, so they are not re-added
                        for d in range(4):
                            nr, nc = _neighbour(r, c, d, rows, cols)
                            join = (spins[nr, nc] == partner) & (next_double(rng) < p)
                            if join:
                                spins[nr, nc] = 2 * partner
                            queue_r[size] = nr
                            queue_c[size] = nc
                            size += join
                delta_e = 2.0 * h * spin_sum
                accept = delta_e <= 0.0 or next_double(rng) < math.exp(-beta * delta_e)
                factor = -1 if accept else 1
                for k in range(size):
                    r = queue_r[k]
                    c = queue_c[k]
                    spins[r, c] = factor * (spins[r, c] >> 1)
                grown += size
                clusters += 1
            grown_total += grown
            clusters_total += clusters
        energy_out[row], magnetization_out[row] = energy_magnetization(spins, J, h)
    return clusters_total, grown_total


@njit(cache=True)
def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # path halving
        x = parent[x]
    return x


@njit(cache=True)
def _union(parent, a, b):
    """Join the trees of a and b under the smaller root, so every pointer goes to a smaller index."""
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
    elif rb < ra:
        parent[ra] = rb


@njit(cache=True)
def swendsen_wang_chunk(spins, rng, beta, J, h, sweeps_per_row, energy_out, magnetization_out):
    """Swendsen–Wang updates; returns the number of clusters built.

    One *sweep* is one full SW update: the bonds (i, i+x̂), (i, i+ŷ) are decided site by site in row-major
    order, clusters are labelled by union-find, and each cluster, in order of its smallest site, is flipped
    with heat-bath probability. Measurements and in-place updates as in :func:`wolff_chunk`.
    """
    if magnetization_out.shape[0] != energy_out.shape[0]:
        raise ValueError("energy_out and magnetization_out must have the same length")
    rows, cols = spins.shape
    n = rows * cols
    p = _bond_probability(beta, J)
    sign = 1 if J > 0 else -1
    parent = np.empty(n, np.int32)
    cluster_sum = np.empty(n, np.int32)
    flip = np.empty(n, np.bool_)
    built = 0
    for row in range(energy_out.shape[0]):
        for _ in range(sweeps_per_row):
            for i in range(n):
                parent[i] = i
            if p > 0.0:
                for r in range(rows):
                    down = r + 1 if r + 1 < rows else 0
                    for c in range(cols):
                        right = c + 1 if c + 1 < cols else 0
                        partner = sign * spins[r, c]
                        i = r * cols + c
                        if spins[r, right] == partner and next_double(rng) < p:
                            _union(parent, i, r * cols + right)
                        if spins[down, c] == partner and next_double(rng) < p:
                            _union(parent, i, down * cols + c)
            # Roots are cluster minima and parent[i] <= i, so one row-major pass finishes every path.
            i = 0
            for r in range(rows):
                for c in range(cols):
                    root = parent[parent[i]]
                    parent[i] = root
                    if root == i:
                        cluster_sum[i] = spins[r, c]
                        built += 1
                    else:
                        cluster_sum[root] += spins[r, c]
                    i += 1
            i = 0
            for r in range(rows):
                for c in range(cols):
                    root = parent[i]
                    if root == i:
                        flip[i] = next_double(rng) < 1.0 / (1.0 + math.exp(2.0 * beta * h * cluster_sum[i]))
                    if flip[root]:
                        spins[r, c] = -spins[r, c]
                    i += 1
        energy_out[row], magnetization_out[row] = energy_magnetization(spins, J, h)
    return built
