"""Disconnectivity graphs (Becker & Karplus 1997; Wales, Miller & Walsh 1998; Wales, *Energy Landscapes* 2003).

The minima are the leaves of a tree; two groups of minima join at the lowest saddle level F* between them
(the merges of :mod:`.barriers`). Nodes 0..m-1 are the minima (level = their F), nodes m..2m-2 the merges in
increasing level (ties: the order of the merges), each the parent of the two groups it joins, so levels never
decrease from a child to its parent and the last node is the root. :func:`leaf_positions` gives a layout: leaves
spread horizontally in the order of a depth-first walk that visits the lower branch first (drawn with F as the
vertical axis by ``statmech_nn.analysis.landscape.draw``).
"""
from __future__ import annotations

import networkx as nx
import numpy as np


def tree_arrays(free_energy, edges, levels):
    """The tree as arrays: (node levels (2m-1,), parent-child pairs (2m-2, 2)); see the module docstring."""
    free_energy = np.asarray(free_energy, dtype=np.float64)
    m = len(free_energy)
    node_level = list(free_energy)
    top = list(range(m))  # the current top node of each minimum's group
    pairs = []
    for k in np.argsort(levels, kind="stable"):
        p, q = edges[k]
        a, b = top[p], top[q]
        new = len(node_level)
        node_level.append(float(levels[k]))
        pairs += [(new, a), (new, b)]
        top = [new if t in (a, b) else t for t in top]
    return np.array(node_level), np.array(pairs, np.int64).reshape(-1, 2)


def disconnectivity_tree(free_energy, edges, levels, basin_size=None) -> nx.DiGraph:
    """A networkx tree (edges parent → child) with node attributes ``level`` (F) and, on the leaves,
    ``minimum`` (rank) and ``basin`` (basin size, if given)."""
    node_level, pairs = tree_arrays(free_energy, edges, levels)
    g = nx.DiGraph()
    for node, level in enumerate(node_level):
        g.add_node(node, level=float(level))
    for k in range(len(free_energy)):
        g.nodes[k]["minimum"] = k
        if basin_size is not None:
            g.nodes[k]["basin"] = float(basin_size[k])
    g.add_edges_from(map(tuple, pairs))
    return g


def _roots(g: nx.DiGraph) -> list:
    return [n for n in g.nodes if g.in_degree(n) == 0]


def _lowest_levels(g: nx.DiGraph) -> dict:
    """The lowest level in every node's subtree (one post-order pass)."""
    low: dict = {}
    for node in nx.dfs_postorder_nodes(g):
        low[node] = min([g.nodes[node]["level"], *(low[c] for c in g.successors(node))])
    return low


def leaf_positions(g: nx.DiGraph) -> dict:
    """x of every node: leaves 0, 1, 2, ... in depth-first order (lower branch first), inner nodes at the mean
    x of their children. Each subtree's leaves are contiguous, so no two edges of the drawing cross."""
    low = _lowest_levels(g)
    x: dict = {}
    leaves = 0
    stack = [(r, False) for r in sorted(_roots(g), key=lambda r: low[r], reverse=True)]
    while stack:
        node, expanded = stack.pop()
        children = sorted(g.successors(node), key=lambda c: low[c])
        if not children:
            x[node] = float(leaves)
            leaves += 1
        elif expanded:
            x[node] = float(np.mean([x[c] for c in children]))
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children))
    return x


def level_tree(energy, edges, levels, n_levels: int = 20, top: float | None = None) -> nx.DiGraph:
    """A disconnectivity graph on a regular grid of energy levels (Becker & Karplus 1997; Wales, Miller & Walsh
    1998): at grid level E_k the minima below E_k fall into superbasins, groups joined by merges (edges, levels)
    below E_k. Nodes: ``("basin", k, lowest member)`` with ``level`` = E_k and ``members``; leaves
    ``("min", i)`` with ``level`` = energy[i], ``minimum`` = i, hanging from the lowest grid node holding them.
    Edges parent → child. The grid spacing Δ = (top − min energy)/n_levels; ``top`` defaults to one step above
    the highest merge (or the highest minimum). Minima that never merge (a disconnected database) end in
    separate roots, as do groups still apart at the top level."""
    energy = np.asarray(energy, dtype=np.float64)
    m = len(energy)
    levels = np.asarray(levels, dtype=np.float64)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    high = max(levels.max() if len(levels) else energy.max(), energy.max())
    low = energy.min()
    span = max(high - low, 1e-12)
    step = span / max(n_levels - 1, 1)
    top = high + step if top is None else top
    grid = top - step * np.arange(int(np.ceil((top - low) / step)) + 1)[::-1]
    grid = grid[grid > low]
    g = nx.DiGraph()
    above: dict[int, tuple] = {}  # minimum -> node holding it at the grid level above the current one
    for k in range(len(grid) - 1, -1, -1):
        e_k = grid[k]
        parent = list(range(m))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for (a, b), lev in zip(edges, levels):
            if lev < e_k:
                ra, rb = root(a), root(b)
                parent[max(ra, rb)] = min(ra, rb)
        groups: dict[int, list] = {}
        for i in np.flatnonzero(energy < e_k):
            groups.setdefault(root(i), []).append(int(i))
        now = {}
        for members in groups.values():
            node = ("basin", k, min(members, key=lambda i: (energy[i], i)))
            g.add_node(node, level=float(e_k), members=tuple(members))
            up = {above[i] for i in members if i in above}
            if up:
                g.add_edge(up.pop(), node)
            for i in members:
                now[i] = node
        for i in range(m):
            if i in above and i not in now:  # the minimum lies between this level and the one above
                g.add_node(("min", i), level=float(energy[i]), minimum=i)
                g.add_edge(above[i], ("min", i))
        above = now
    for i, node in above.items():
        g.add_node(("min", i), level=float(energy[i]), minimum=i)
        g.add_edge(node, ("min", i))
    for i in range(m):  # minima above the top level
        if ("min", i) not in g:
            g.add_node(("min", i), level=float(energy[i]), minimum=i)
    return g
