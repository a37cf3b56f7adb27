"""Energy landscapes: one explorer for any system with an energy and a gradient (systems, minimisation, basin
hopping, transition states, databases of stationary points, disconnectivity graphs, basin volumes;
docs/landscape.md), and the free-energy landscapes of RBMs by single-flip descent (docs/rbm_landscape.md)."""
from __future__ import annotations

from .barriers import barrier_matrix, exact_merges, path_barriers, path_merges, spanning_merges
from .basinhopping import basin_hopping, hop, start_walker
from .database import Database, components, merges
from .descent import (DESCENTS, MAX_EXACT_VISIBLE, descend, exact_basins, is_local_minimum, landscape_table,
                      unique_minima)
from .disconnectivity import disconnectivity_tree, leaf_positions, level_tree, tree_arrays
from .minimize import Minimum, hessian_eigenvalues, minimize
from .systems import LennardJones, MullerBrown, NetworkLoss, Quadratic, SphericalPSpin, finite_difference_check
from .transition import connect, dneb, refine_ts, verify_ts
from .volumes import harmonic_log_volume, log_basin_volume, log_det_hessian

__all__ = ["DESCENTS", "MAX_EXACT_VISIBLE", "Database", "LennardJones", "Minimum", "MullerBrown", "NetworkLoss",
           "Quadratic", "SphericalPSpin", "barrier_matrix", "basin_hopping", "components", "connect", "descend",
           "disconnectivity_tree", "dneb", "exact_basins", "exact_merges", "finite_difference_check",
           "harmonic_log_volume", "hessian_eigenvalues", "hop", "is_local_minimum", "landscape_table",
           "leaf_positions", "level_tree", "log_basin_volume", "log_det_hessian", "merges", "minimize",
           "path_barriers", "path_merges", "refine_ts", "spanning_merges", "start_walker", "tree_arrays",
           "unique_minima", "verify_ts"]
