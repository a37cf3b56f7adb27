"""Figures of ``landscape`` and ``basin-volume`` runs and sweeps (docs/landscape.md); the numbers are
:mod:`statmech_nn.summaries.energy_landscape`'s.

* :func:`draw_disconnectivity` — a disconnectivity graph as the field draws it: energy levels on a regular grid
  (:func:`statmech_nn.landscape.disconnectivity.level_tree`), leaves in the tree's depth-first order (each
  subtree's leaves contiguous, so no two lines cross), leaves coloured by any per-minimum property, minima not
  connected to the global minimum in grey and listed;
* :func:`run_figure` — a landscape run: the graph of each part (test loss as colour for networks), the hop
  energies, and for networks test loss against minimum energy;
* :func:`volume_figure` — a basin-volume run: log V and log det H against test loss;
* :func:`width_figure` — a landscape sweep: numbers of minima and transition states against hidden width, one
  curve per l2 (Mehta et al. 2018).
"""
from __future__ import annotations

import numpy as np

from statmech_nn.io.runfile import Run
from statmech_nn.landscape.disconnectivity import leaf_positions, level_tree
from statmech_nn.summaries.energy_landscape import check

from .plots import plt, suptitle


def draw_disconnectivity(ax, energy, edges, levels, n_levels: int = 20, color_by=None, label: str = "",
                         component=None, cmap: str = "viridis"):
    """Draw the graph of minima ``energy`` with merges (edges, levels) on ``ax``; ``color_by`` (per minimum)
    colours the leaves; minima whose ``component`` differs from the global minimum's are grey and named in the
    legend. Returns the colour-bar mappable (or None)."""
    energy = np.asarray(energy, dtype=np.float64)
    g = level_tree(energy, edges, levels, n_levels)
    x = leaf_positions(g)
    lost = set() if component is None else set(np.flatnonzero(np.asarray(component) != component[np.argmin(energy)]))
    for parent, child in g.edges:
        grey = child[0] == "min" and child[1] in lost or (child[0] == "basin" and child[2] in lost)
        ax.plot([x[parent], x[child]], [g.nodes[parent]["level"], g.nodes[child]["level"]],
                color="0.6" if grey else "k", lw=0.8)
    leaves = [n for n in g.nodes if n[0] == "min"]
    xs, ys = [x[n] for n in leaves], [g.nodes[n]["level"] for n in leaves]
    mappable = None
    if color_by is not None:
        c = np.asarray(color_by, dtype=np.float64)[[n[1] for n in leaves]]
        mappable = ax.scatter(xs, ys, c=c, s=14, cmap=cmap, zorder=3)
    if lost:
        names = ", ".join(str(i) for i in sorted(lost)[:12]) + (" ..." if len(lost) > 12 else "")
        ax.plot([], [], color="0.6", label=f"not connected to the global minimum: {names}")
        ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.02), frameon=False)
    ax.set_xticks([])
    ax.set_ylabel(label or "energy")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return mappable


def _parts(r) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(title, minima mask, merge mask) of each part."""
    part = np.asarray(r["minima"]["part"])
    edges = np.asarray(r["merges"]["edges"]).reshape(-1, 2)
    names = [f"hidden {int(h)}" for h in np.atleast_1d(r["parts"]["hidden"])] if "parts" in r else [""]
    return [(name, part == k, part[edges[:, 0]] == k if len(edges) else np.zeros(0, bool))
            for k, name in enumerate(names)]


def run_figure(run: Run):
    """Disconnectivity graph(s), hop energies, and (networks) test loss against minimum energy."""
    check(run)
    r, p = run.results, run.parameters
    parts = _parts(r)
    network = "test_loss" in r["minima"]
    ncols = min(len(parts), 4) + 1 + network
    fig, axes = plt.subplots(1, ncols, figsize=(4.2 * ncols, 4.4), squeeze=False)
    axes = axes[0]
    energy = np.asarray(r["minima"]["energy"])
    for ax, (name, mine, merged) in zip(axes, parts[:4]):
        index = np.flatnonzero(mine)
        rank = np.full(len(energy), -1)
        rank[index] = np.arange(len(index))
        edges = rank[np.asarray(r["merges"]["edges"]).reshape(-1, 2)[merged]]
        color = np.asarray(r["minima"]["test_loss"])[index] if network else None
        m = draw_disconnectivity(ax, energy[index], edges, np.asarray(r["merges"]["levels"])[merged],
                                 color_by=color, component=np.asarray(r["minima"]["component"])[index],
                                 label=f"energy ({p['system']})")
        if m is not None:
            fig.colorbar(m, ax=ax, label="test loss", shrink=0.8)
        ax.set_title(f"{name + ': ' if name else ''}{len(index)} minima, {int(merged.sum())} merges", fontsize=9)
    ax = axes[min(len(parts), 4)]
    if "energy" in run.observables:
        ax.plot(run.observables["energy"].step, run["energy"], ".", ms=2, alpha=0.5, label="minimum reached")
        ax.plot(run.observables["lowest"].step, run["lowest"], "k-", lw=1, label="lowest so far")
        ax.set(xlabel="hop", ylabel="energy", title="basin hopping")
    else:
        ax.hist(run["minimum_free_energy"], bins=40, color="C0")
        ax.set(xlabel="F of the minimum reached", ylabel="descents", title="single-flip descents")
    ax.legend(fontsize=7) if "energy" in run.observables else None
    if network:
        ax = axes[-1]
        for k, (name, mine, _) in enumerate(parts):
            ax.plot(energy[mine], np.asarray(r["minima"]["test_loss"])[mine], "o", ms=3, label=name or None)
        ax.set(xlabel="minimum energy (training loss)", ylabel="test loss", title="test loss of the minima")
        if len(parts) > 1:
            ax.legend(fontsize=7)
    fig.suptitle(f"landscape: {p['system']}", fontsize=9)
    fig.tight_layout()
    return fig


def volume_figure(run: Run):
    """log V and log det H of each start's minimum against its test loss."""
    check(run, "basin-volume", "coords")
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 4))
    a.errorbar(run["test_loss"], run["log_volume"], yerr=run["log_volume_error"], fmt="o", ms=3)
    a.set(xlabel="test loss", ylabel="log basin volume (rays)")
    b.plot(run["test_loss"], run["log_det_hessian"], "o", ms=3)
    b.set(xlabel="test loss", ylabel="log det Hessian")
    fig.suptitle(f"basin-volume: {run.parameters['system']}, delta_e = {run.parameters['delta_e']}", fontsize=9)
    fig.tight_layout()
    return fig


def width_figure(sweep):
    """Numbers of minima and transition states against hidden width, one curve per l2 (other axes averaged)."""
    axes = sweep.axes
    fig, panels = plt.subplots(1, 2, figsize=(9, 4))
    hidden = np.asarray(axes.get("hidden", [0]), dtype=float).ravel()
    for ax, name in zip(panels, ("minima", "transition_states")):
        mean = np.asarray(sweep.results[name].mean)
        names = list(axes)
        if "l2" in axes and mean.ndim == 2:
            l2_first = names.index("l2") == 0
            for j, l2 in enumerate(np.asarray(axes["l2"]).ravel()):
                ax.plot(hidden, mean[j] if l2_first else mean[:, j], "o-", label=f"l2 = {l2:g}")
            ax.legend(fontsize=7)
        else:
            ax.plot(hidden, mean.ravel(), "o-")
        ax.set(xlabel="hidden width", ylabel=name.replace("_", " "))
    suptitle(fig, f"landscape sweep: {sweep.parameters.get('data', '')}")
    fig.tight_layout()
    return fig
