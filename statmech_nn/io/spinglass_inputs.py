"""Spin-glass inputs read from files: an SK coupling matrix (``.npy``) and an Edwards–Anderson graph (an edge list
read with networkx). Every failure is a :class:`~statmech_nn.errors.ParameterError` naming the parameter; the
models validate the content (:func:`statmech_nn.spinglass.sk_from_matrix`, :func:`statmech_nn.spinglass.ea_model`).
"""
from __future__ import annotations

import os

import networkx as nx
import numpy as np

from statmech_nn.errors import ParameterError

#: ``--graph`` values that name a generated graph rather than a file.
GRAPH_SPEC_PREFIXES = ("grid:", "random-regular:")


def read_couplings(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the ``.npy`` file ``path`` (no pickles)."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ParameterError("couplings", str(path), f"a readable N×N .npy file of numbers ({exc})") from None


def read_graph(path: str | os.PathLike) -> nx.Graph:
    """An undirected graph from an edge-list file (one edge ``i j`` per line, ``#`` comments; networkx's
    ``read_edgelist``). Integer node names are read as integers, so nodes sort numerically."""
    if not os.path.isfile(path):
        raise ParameterError("graph", str(path), "'grid:LxL', 'random-regular:N:k' or an existing edge-list file")
    try:
        return nx.read_edgelist(path, nodetype=int, data=False)
    except (TypeError, ValueError, UnicodeDecodeError, nx.NetworkXError):
        pass
    try:
        return nx.read_edgelist(path, nodetype=str, data=False)
    except (TypeError, ValueError, UnicodeDecodeError, nx.NetworkXError, IndexError) as exc:
        raise ParameterError("graph", str(path), f"an edge-list file, one 'i j' pair per line ({exc})") from None


def graph_input(graph: str) -> str | nx.Graph:
    """``graph`` as :func:`statmech_nn.spinglass.ea_model` takes it: a spec string as is, otherwise the file read."""
    return graph if graph.startswith(GRAPH_SPEC_PREFIXES) else read_graph(graph)
