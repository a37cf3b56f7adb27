"""Figures of an ``nngp`` run (Lee et al., ICLR 2018): test error over σ_w² × depth (a heat map with the critical
σ_w², or curves against depth), and empirical kernels of wide networks against the NNGP recursion."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.io.runfile import Run
from statmech_nn.meanfield import sigma_w2_critical
from statmech_nn.summaries.nngp import analyze  # noqa: F401 - re-exported

from .plots import plt


def run_figure(run: Run):
    """(a) test error over σ_w² × depth (heat map if both have several values, else error against depth);
    (b) with width > 0: mean empirical kernel entries against the recursion at every depth."""
    p = run.parameters
    sw2, depths = np.atleast_1d(p["sigma_w2"]), np.atleast_1d(p["depth"])
    kernels = "empirical_kernel" in run.observables and len(run.observables["empirical_kernel"]) > 0
    fig, axes = plt.subplots(1, 2 if kernels else 1, figsize=(11 if kernels else 6, 4.3), squeeze=False)
    ax = axes[0, 0]
    error = run["test_error"]
    if len(sw2) > 1 and len(depths) > 1:
        mesh = ax.pcolormesh(sw2, np.arange(len(depths)), error.T, shading="nearest", cmap="viridis_r")
        fig.colorbar(mesh, ax=ax, label="test error")
        ax.set_yticks(np.arange(len(depths)), [str(d) for d in depths])
        crit = sigma_w2_critical(p["phi"], float(p["sigma_b2"]))
        if math.isfinite(crit) and sw2.min() <= crit <= sw2.max():
            ax.axvline(crit, color="w", ls="--", lw=1.2, label=f"σ_w²,c = {crit:.3g} (χ_1 = 1)")
            ax.legend(fontsize=7, loc="upper right")
        ax.set(xlabel="σ_w²", ylabel="depth L")
    else:
        n = int(p["test"])
        for i, w in enumerate(sw2):
            e = error[i]
            ax.errorbar(depths, e, yerr=np.sqrt(e * (1 - e) / n), marker="o", ms=3, capsize=2, label=f"σ_w² = {w:g}")
        ax.set(xscale="log", xlabel="depth L", ylabel="test error")
        ax.legend(fontsize=7)
    ax.set_title(f"NNGP {p['phi']}, {p['task']}, train {p['train']}, σ_b² = {p['sigma_b2']}", fontsize=9)
    if kernels:
        ax = axes[0, 1]
        emp = run["empirical_kernel"].reshape(len(sw2), int(p["networks"]), len(depths),
                                              *run["empirical_kernel"].shape[-2:]).mean(axis=1)
        theory = run.results["kernel_theory"]
        for j, d in enumerate(depths):
            ax.plot(theory[:, j].ravel(), emp[:, j].ravel(), "o", ms=3, mfc="none", label=f"L = {d}")
        lo, hi = theory.min(), theory.max()
        ax.plot([lo, hi], [lo, hi], "k-", lw=0.7)
        ax.set(xlabel="K^L (recursion)", ylabel="mean K̂^L over networks",
               title=f"{p['networks']} networks of width {p['width']}")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
