"""Summaries of an ``rbm-landscape`` run (docs/rbm_landscape.md): number of minima, the lowest F, the global
minimum's basin (fraction of starts ± the multinomial error √(p(1-p)/starts), beside the exact basin when
enumerated), the lowest barrier height out of the global minimum, the mean number of flips per descent."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn import stats
from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def check(run: Run) -> None:
    """Raise FormatError unless ``run`` is an ``rbm-landscape`` run with landscape results."""
    if run.study != "rbm-landscape":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'rbm-landscape'")
    if "free_energy" not in run.results:
        raise FormatError(f"{run.path}: no landscape results (the run did not descend any start)")


def analyze(run: Run) -> dict[str, Estimate]:
    """The estimates listed in the module docstring."""
    check(run)
    r = run.results
    starts = int(r["starts_done"])
    p = float(r["basin_size"][0])
    out = {"minima": Estimate.exact(len(r["free_energy"])), "lowest_free_energy": Estimate.exact(r["free_energy"][0]),
           "global_basin": Estimate(p, math.sqrt(p * (1 - p) / starts), math.nan, starts)}
    if "basin_size_exact" in r:
        out["global_basin_exact"] = Estimate.exact(r["basin_size_exact"][0])
    barriers = np.asarray(r["barriers"])
    if len(barriers) > 1:
        out["lowest_barrier"] = Estimate.exact(np.min(barriers[0, 1:]) - barriers[0, 0])
    out["descent_flips"] = stats.mean(run["descent_flips"].astype(np.float64))
    return out
