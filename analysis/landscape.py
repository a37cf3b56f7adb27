"""The figure of an ``rbm-landscape`` run (docs/rbm_landscape.md); the numbers are
:mod:`statmech_nn.summaries.landscape`'s.

* :func:`draw` — a disconnectivity graph (:func:`statmech_nn.landscape.disconnectivity_tree`) on an axis;
* :func:`run_figure` — the disconnectivity graph and the basin sizes of the minima (descent fractions with
  multinomial errors; exact basins when enumerated).
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from statmech_nn.io.runfile import Run
from statmech_nn.landscape.disconnectivity import disconnectivity_tree, leaf_positions
from statmech_nn.summaries.landscape import check

from .plots import plt, suptitle


def draw(g: nx.DiGraph, ax, basin_scale: float = 300.0, color="C0"):
    """Draw the disconnectivity graph ``g`` on ``ax``: the vertical axis is F, leaves spread in the order of
    :func:`~statmech_nn.landscape.disconnectivity.leaf_positions`, lines child → parent, leaves as dots sized by
    basin size."""
    x = leaf_positions(g)
    for parent, child in g.edges:
        ax.plot([x[child], x[parent]], [g.nodes[child]["level"], g.nodes[parent]["level"]], color=color, lw=1)
    leaves = [n for n in g.nodes if g.out_degree(n) == 0]
    sizes = [basin_scale * g.nodes[n].get("basin", 0.05) + 4 for n in leaves]
    ax.scatter([x[n] for n in leaves], [g.nodes[n]["level"] for n in leaves], s=sizes, color=color, zorder=3)
    if len(leaves) <= 30:
        for n in leaves:
            ax.annotate(str(g.nodes[n]["minimum"]), (x[n], g.nodes[n]["level"]), textcoords="offset points",
                        xytext=(0, -11), ha="center", fontsize=7)
    ax.set_xticks([])
    ax.set_ylabel("free energy F(v)")
    return ax


def run_figure(run: Run):
    """(a) disconnectivity graph, leaves sized by basin; (b) basin sizes of the minima in order of F."""
    check(run)
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
    suptitle(fig, f"rbm-landscape: {p['model']}, {p['descent']} descent")
    fig.tight_layout()
    return fig
