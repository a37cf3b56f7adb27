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


def _lowest(g: nx.DiGraph, node) -> float:
    return min(g.nodes[n]["level"] for n in nx.descendants(g, node) | {node})


def leaf_positions(g: nx.DiGraph) -> dict:
    """x of every node: leaves 0, 1, 2, ... in depth-first order (lower branch first), inner nodes at the mean
    x of their children."""
    x: dict = {}

    def place(node):
        children = sorted(g.successors(node), key=lambda c: _lowest(g, c))
        if not children:
            x[node] = float(sum(1 for n in x if g.out_degree(n) == 0))
            return
        for c in children:
            place(c)
        x[node] = float(np.mean([x[c] for c in children]))

    for root in sorted(_roots(g), key=lambda r: _lowest(g, r)):
        place(root)
    return x
