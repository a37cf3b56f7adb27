"""Estimates and figures for the ``signal-prop`` study (Poole et al. 2016; Schoenholz et al. 2017).

* :func:`analyze` — theory numbers of a run and its last layer's simulated q, c with standard errors over networks.
* :func:`run_figure` — q^l and c^l of one run: simulation (mean ± s.e.m.) over the theory curves.
* :func:`poole_fig1` — the q-map and its fixed points for σ_w ∈ {1.3, 2.5, 4.0}, σ_b = 0.3, with iterated q^l
  from simulated networks (N = 1000) over the theory (Poole et al., Fig. 1).
* :func:`poole_fig2` — χ_1 over σ_w ∈ [1, 5] × σ_b ∈ [0, 4] (41 × 41) with the χ_1 = 1 line (Poole et al., Fig. 2).
* :func:`schoenholz_xi` — ξ_c and ξ_q against σ_w² at σ_b² = 0.05, diverging at σ_w²,c (Schoenholz et al.).
* :func:`trainability_figure` — training accuracy over depth × σ_w² with 6 ξ_c (Schoenholz et al.).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.io.runfile import Run, read_run
from statmech_nn.meanfield import fixed_point, phase_diagram, q_map
from statmech_nn.summaries.signal_prop import THEORY, analyze, simulated  # noqa: F401 - re-exported

from .plots import plt

POOLE_SIGMA_W = (1.3, 2.5, 4.0)
POOLE_SIGMA_B = 0.3


def _layers_panel(ax, run: Run, name: str, color="C0", label=None) -> None:
    theory = run.results[f"{name}_theory"]
    ax.plot(np.arange(len(theory)), theory, "-", color=color, lw=1.2, label=label)
    if simulated(run):
        series = run.observables[name]
        sem = run[f"{name}_std"] / math.sqrt(int(run.parameters["networks"]))
        ax.errorbar(series.step, series.value, yerr=sem, fmt="o", ms=3, color=color, mfc="none")


def run_figure(run: Run):
    """q^l and c^l against layer l: theory (lines, fixed points dashed) and simulation (points ± s.e.m.)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, name in zip(axes, ("q", "c")):
        _layers_panel(ax, run, name, label="mean-field theory")
        star = float(run.results[f"{name}_star"])
        if math.isfinite(star):
            ax.axhline(star, color="k", ls="--", lw=0.8, label=f"{name}* = {star:.4g}")
        ax.set_xlabel("layer l")
        ax.set_ylabel(f"{name}^l")
        ax.legend(fontsize=8)
    p = run.parameters
    fig.suptitle(f"signal-prop: φ = {p['phi']}, σ_w² = {p['sigma_w2']}, σ_b² = {p['sigma_b2']}, "
                 f"N = {p['width']}, {p['networks']} {p['weights']} networks", fontsize=9)
    fig.tight_layout()
    return fig


def poole_fig1(runs=(), phi: str = "tanh"):
    """(a) V(q) for σ_w ∈ {1.3, 2.5, 4.0} at σ_b = 0.3 with the diagonal and the fixed points q*;
    (b) q^l against l: theory from each run's q^0 (lines) and its simulated networks (points ± s.e.m.).
    ``runs``: signal-prop runs (or paths) at those (σ_w², σ_b²)."""
    runs = [r if isinstance(r, Run) else read_run(r) for r in runs]
    fig, (ax_map, ax_it) = plt.subplots(1, 2, figsize=(10, 4.2))
    q = np.linspace(0.0, 15.0, 301)
    ax_map.plot(q, q, color="0.5", lw=0.8, ls=":")
    sb2 = POOLE_SIGMA_B**2
    for k, sw in enumerate(POOLE_SIGMA_W):
        color = f"C{k}"
        ax_map.plot(q, q_map(phi, sw**2, sb2, q), color=color, label=f"σ_w = {sw}")
        qs = fixed_point(phi, sw**2, sb2).q_star
        ax_map.plot([qs], [qs], "o", color=color)
        for run in runs:
            if math.isclose(run.parameters["sigma_w2"], sw**2) and math.isclose(run.parameters["sigma_b2"], sb2):
                _layers_panel(ax_it, run, "q", color=color)
        ax_it.plot([], [], color=color, label=f"σ_w = {sw}: q* = {qs:.3g}")
    ax_map.set(xlabel="q^{l-1}", ylabel="q^l = V(q^{l-1})", xlim=(0, 15), ylim=(0, 15),
               title=f"q-map, σ_b = {POOLE_SIGMA_B} (dots: q*)")
    ax_map.legend(fontsize=8)
    ax_it.set(xlabel="layer l", ylabel="q^l", title="iterates: theory (lines), networks of width N = 1000 (points)")
    ax_it.legend(fontsize=8)
    fig.tight_layout()
    return fig


def poole_fig2(phi: str = "tanh", n: int = 41):
    """χ_1 on the n × n grid σ_w ∈ [1, 5], σ_b ∈ [0, 4], with the χ_1 = 1 contour of the grid and the solved
    critical line σ_w,c(σ_b)."""
    from matplotlib.colors import TwoSlopeNorm

    sw, sb = np.linspace(1.0, 5.0, n), np.linspace(0.0, 4.0, n)
    pd = phase_diagram(phi, sw**2, sb**2, correlations=False)
    fig, ax = plt.subplots(figsize=(6, 4.8))
    chi1 = pd["chi1"].T  # rows σ_b, columns σ_w
    mesh = ax.pcolormesh(sw, sb, chi1, cmap="RdBu_r", shading="nearest",
                         norm=TwoSlopeNorm(vcenter=1.0, vmin=min(chi1.min(), 0.99), vmax=max(chi1.max(), 1.01)))
    fig.colorbar(mesh, ax=ax, label="χ_1")
    ax.contour(sw, sb, chi1, levels=[1.0], colors="k", linewidths=1.5)
    ax.plot(np.sqrt(pd["sigma_w2_critical"]), sb, "w--", lw=1.0, label="χ_1 = 1 (solved)")
    ax.set(xlabel="σ_w", ylabel="σ_b", title=f"χ_1 for φ = {phi}: ordered (blue) | chaotic (red)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def schoenholz_xi(phi: str = "tanh", sigma_b2: float = 0.05, sigma_w2=None):
    """ξ_c and ξ_q against σ_w² (default 1..4) at ``sigma_b2``; ξ_c diverges at σ_w²,c."""
    sw2 = np.linspace(1.0, 4.0, 601) if sigma_w2 is None else np.asarray(sigma_w2, dtype=float)
    pd = phase_diagram(phi, sw2, [sigma_b2])
    crit = float(pd["sigma_w2_critical"][0])
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.semilogy(sw2, pd["xi_c"][:, 0], label="ξ_c")
    ax.semilogy(sw2, pd["xi_q"][:, 0], label="ξ_q")
    ax.axvline(crit, color="k", ls="--", lw=0.8, label=f"σ_w²,c = {crit:.4f}")
    ax.set(xlabel="σ_w²", ylabel="depth scale", title=f"φ = {phi}, σ_b² = {sigma_b2}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def trainability_figure(result: dict):
    """Accuracy after training (colour) over σ_w² × depth from :func:`statmech_nn.models.deepnet.trainability`
    with 6 ξ_c(σ_w²) at the same σ_b²."""
    sw2, depths, acc = result["sigma_w2"], result["depths"], result["accuracy"]
    fine = np.linspace(sw2.min(), sw2.max(), 400)
    xi_c = phase_diagram("tanh", fine, [float(result["sigma_b2"])], critical_line=False)["xi_c"][:, 0]
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    mesh = ax.pcolormesh(sw2, depths, acc.T, cmap="viridis", shading="nearest", vmin=0.5, vmax=1.0)
    fig.colorbar(mesh, ax=ax, label=f"training accuracy after {int(result['steps'])} SGD steps")
    ax.plot(fine, 6 * xi_c, "w--", lw=1.5, label="6 ξ_c")
    ax.set(xlabel="σ_w²", ylabel="depth L", ylim=(depths.min() - 1, depths.max() + 1),
           title=f"tanh, σ_b² = {result['sigma_b2']}, width {int(result['width'])}")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
