"""Estimates and the figure of an ``rbm-landscape`` run (docs/rbm_landscape.md).

* :func:`analyze` — number of minima, the lowest F, the global minimum's basin (fraction of starts ± the
  multinomial error √(p(1-p)/starts), beside the exact basin when enumerated), the lowest barrier height out of
  the global minimum, the mean number of flips per descent.
* :func:`run_figure` — the disconnectivity graph (:mod:`statmech_nn.landscape.disconnectivity`) and the basin
  sizes of the minima (descent fractions with multinomial errors; exact basins when enumerated).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.landscape import disconnectivity_tree, draw

from . import stats
from .plots import plt
from .stats import Estimate


def _exact(value: float) -> Estimate:
    return Estimate(float(value), 0.0, math.nan, 0)


def _check(run: Run) -> None:
    if run.study != "rbm-landscape":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'rbm-landscape'")
    if "free_energy" not in run.results:
        raise FormatError(f"{run.path}: no landscape results (the run did not descend any start)")


def analyze(run: Run) -> dict[str, Estimate]:
    """The estimates listed in the module docstring."""
    _check(run)
    r = run.results
    starts = int(r["starts_done"])
    p = float(r["basin_size"][0])
    out = {"minima": _exact(len(r["free_energy"])), "lowest_free_energy": _exact(r["free_energy"][0]),
           "global_basin": Estimate(p, math.sqrt(p * (1 - p) / starts), math.nan, starts)}
    if "basin_size_exact" in r:
        out["global_basin_exact"] = _exact(r["basin_size_exact"][0])
    barriers = np.asarray(r["barriers"])
    if len(barriers) > 1:
        out["lowest_barrier"] = _exact(np.min(barriers[0, 1:]) - barriers[0, 0])
    out["descent_flips"] = stats.mean(run["descent_flips"].astype(np.float64))
    return out


def run_figure(run: Run):
    """(a) disconnectivity graph, leaves sized by basin; (b) basin sizes of the minima in order of F."""
    _check(run)
    r = run.results
    levels, edges = np.asarray(r["merge_levels"]), np.asarray(r["merge_edges"])
    free_energy, basin = np.asarray(r["free_energy"]), np.asarray(r["basin_size"])
    kept = len(edges) + 1
    fig, (ax_d, ax_b) = plt.subplots(1, 2, figsize=(11, 4.4), gridspec_kw={"width_ratios": [1.4, 1]})
    draw(disconnectivity_tree(free_energy[:kept], edges, levels, basin[:kept]), ax_d)
    method = r["barrier_method"]
    method = method.decode() if isinstance(method, bytes) else str(method)
    ax_d.set_title(f"disconnectivity graph ({method} barriers), {kept} minima", fontsize=9)
    shown = min(len(basin), 40)
    starts = int(r["starts_done"])
    k = np.arange(shown)
    err = np.sqrt(basin[:shown] * (1 - basin[:shown]) / starts)
    ax_b.bar(k, basin[:shown], yerr=err, color="C0", alpha=0.7, label=f"descent ({starts} starts)")
    if "basin_size_exact" in r:
        ax_b.plot(k, np.asarray(r["basin_size_exact"])[:shown], "k_", ms=12, mew=2, label="exact (all 2^n states)")
    ax_b.set(xlabel="minimum (in order of F)", ylabel="basin size", title="basins of attraction")
    ax_b.legend(fontsize=8)
    p = run.parameters
    fig.suptitle(f"rbm-landscape: {p['model']}, {p['descent']} descent", fontsize=9)
    fig.tight_layout()
    return fig
