"""The Edwards–Anderson model (Edwards & Anderson 1975) on any graph,

    H(s) = −Σ_{(i,j) ∈ E} J_ij s_i s_j,   J_ij ~ N(0, 1) (default, "gaussian") or ±1 with equal odds ("pm1").

The graph is a networkx graph, an (|E|, 2) integer edge array, or a spec string: ``grid:LxL`` (periodic square
lattice, L ≥ 3) or ``random-regular:N:k``. Reading a graph file belongs to io (e.g. ``networkx.read_edgelist``);
pass the graph it returns. Nodes are relabelled 0..N−1 in sorted order (row-major for the grid). A graph without
edges is rejected; isolated nodes are kept (free spins). No normalisation: energies are O(|E|).
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from .ising_couplings import IsingCouplings, from_bonds

#: Stream keys (after the seed): couplings, random-regular graph.
EA_COUPLINGS_KEY, EA_GRAPH_KEY = 1, 2
COUPLING_KINDS = ("gaussian", "pm1")
_SPEC_TEXT = "'grid:LxL' (L >= 3), 'random-regular:N:k' (N*k even, k < N), a networkx graph or an (E, 2) edge array"


def _spec_graph(spec: str, seed) -> nx.Graph:
    kind, _, rest = spec.partition(":")
    try:
        if kind == "grid":
            rows, cols = (int(x) for x in rest.lower().split("x"))
            if min(rows, cols) >= 3:
                return nx.grid_2d_graph(rows, cols, periodic=True)
        elif kind == "random-regular":
            n, k = (int(x) for x in rest.split(":"))
            if 0 <= k < n and n * k % 2 == 0:
                graph_seed = int(seed_sequence(seed, EA_GRAPH_KEY).generate_state(1)[0])
                return nx.random_regular_graph(k, n, seed=graph_seed)
    except ValueError:
        pass
    raise ParameterError("graph", spec, _SPEC_TEXT)


def as_graph(graph, seed) -> nx.Graph:
    """The networkx graph named by ``graph`` (see the module docstring), nodes relabelled 0..N−1 in sorted order."""
    if isinstance(graph, str):
        g = _spec_graph(graph, seed)
    elif isinstance(graph, nx.Graph):
        g = nx.Graph(graph)
    else:
        edges = np.asarray(graph)
        if edges.ndim != 2 or edges.shape[1] != 2 or edges.dtype.kind not in "iu":
            raise ParameterError("graph", getattr(graph, "shape", graph), _SPEC_TEXT)
        g = nx.Graph()
        g.add_edges_from(edges.tolist())
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    if g.number_of_edges() == 0:
        raise ParameterError("graph", f"{g.number_of_nodes()} nodes, 0 edges", "a graph with at least one edge")
    return nx.convert_node_labels_to_integers(g, ordering="sorted")


def ea_model(graph, seed, couplings: str = "gaussian") -> IsingCouplings:
    """An EA sample on ``graph`` with couplings of kind ``couplings`` from stream (seed, EA_COUPLINGS_KEY)."""
    if couplings not in COUPLING_KINDS:
        raise ParameterError("couplings", couplings, " or ".join(COUPLING_KINDS))
    g = as_graph(graph, seed)
    edges = np.array(sorted((min(a, b), max(a, b)) for a, b in g.edges()), np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed_sequence(seed, EA_COUPLINGS_KEY))
    if couplings == "gaussian":
        J, unit = rng.standard_normal(len(edges)), 0.0
    else:
        J, unit = 2.0 * rng.integers(0, 2, len(edges)) - 1.0, 1.0
    return from_bonds(g.number_of_nodes(), edges[:, 0], edges[:, 1], J, unit, "ea")
