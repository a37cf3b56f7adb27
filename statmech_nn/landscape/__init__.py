"""Free-energy landscapes of RBMs: local minima by zero-temperature descent, basins, barriers and
disconnectivity graphs (docs/rbm_landscape.md)."""
from __future__ import annotations

from .barriers import barrier_matrix, exact_merges, path_barriers, path_merges, spanning_merges
from .descent import (DESCENTS, MAX_EXACT_VISIBLE, descend, exact_basins, is_local_minimum, landscape_table,
                      unique_minima)
from .disconnectivity import disconnectivity_tree, tree_arrays

__all__ = ["DESCENTS", "MAX_EXACT_VISIBLE", "barrier_matrix", "descend", "disconnectivity_tree",
           "exact_basins", "exact_merges", "is_local_minimum", "landscape_table", "path_barriers", "path_merges",
           "spanning_merges", "tree_arrays", "unique_minima"]
