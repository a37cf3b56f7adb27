"""The end of an ``rbm-landscape`` run: from the minima the descents reached to basins, barriers and the
disconnectivity tree (:mod:`statmech_nn.landscape`; docs/rbm_landscape.md)."""
from __future__ import annotations

import numpy as np

from statmech_nn import landscape
from statmech_nn.models.rbm import RBM


def landscape_results(model: RBM, ends: np.ndarray, free_energy: np.ndarray, method: str, max_minima: int,
                      exact_basin: bool) -> dict[str, np.ndarray]:
    """Distinct minima among the descent end points ``ends`` (with their F), the fraction of descents reaching
    each (``basin_size``), barriers and the tree.

    * ``method = "exact"``: all local minima by enumerating the 2^n_visible states, exact minimax barriers and
      (if ``exact_basin``, i.e. for steepest descent) the exact steepest-descent basins ``basin_size_exact``;
    * ``method = "path"``: the minima found; barriers are upper bounds from greedy direct paths among the
      ``max_minima`` lowest.

    Returns ``minima``, ``free_energy``, ``basin_size``, ``barriers``, ``merge_edges``, ``merge_levels``,
    ``tree_levels``, ``tree_edges`` (:func:`statmech_nn.landscape.tree_arrays`), ``barrier_method``,
    ``starts_done``."""
    done = len(ends)
    minima, free_energy, basin, _ = landscape.unique_minima(ends, free_energy)
    out = {}
    if method == "exact":
        table, _ = landscape.landscape_table(model)
        index, all_minima, all_f, exact_basins = landscape.exact_basins(model)
        found = {m.tobytes(): b for m, b in zip(minima, basin)}
        unknown = set(found) - {m.tobytes() for m in all_minima}
        if unknown:  # a descent ending off the enumerated minima would be a bug
            raise RuntimeError(f"{len(unknown)} descent end points are not local minima")
        basin = np.array([found.get(m.tobytes(), 0.0) for m in all_minima])
        minima, free_energy = all_minima, all_f
        if exact_basin:
            out["basin_size_exact"] = exact_basins
        edges, levels = landscape.exact_merges(table, index)
    else:
        keep = min(len(minima), max_minima)
        edges, levels = landscape.path_merges(model, minima[:keep])
    kept = len(edges) + 1
    node_level, node_pairs = landscape.tree_arrays(free_energy[:kept], edges, levels)
    out.update(minima=minima, free_energy=free_energy, basin_size=basin,
               barriers=landscape.barrier_matrix(free_energy[:kept], edges, levels),
               merge_edges=edges, merge_levels=levels, tree_levels=node_level, tree_edges=node_pairs,
               barrier_method=np.bytes_(method), starts_done=np.int64(done))
    return out
