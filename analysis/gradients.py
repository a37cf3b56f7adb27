"""Figure of a ``gradients`` run: |δ^l|²/|δ^L|² of sampled networks (mean ± s.e.m.) over the backward mean-field
recursion, one colour per σ_w² (Schoenholz et al. 2017, Fig. 3 in spirit; residual: Yang & Schoenholz 2017)."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.io.runfile import Run
from statmech_nn.summaries.gradients import analyze, per_sigma  # noqa: F401 - re-exported

from .plots import plt


def run_figure(run: Run):
    """q̃^l/q̃^L against l on a log scale: theory lines, networks as points ± s.e.m."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    sw2s = np.atleast_1d(run.parameters["sigma_w2"])
    sims = per_sigma(run) if len(run.observables["grad"]) else [None] * len(sw2s)
    for i, (sw2, grad) in enumerate(zip(sw2s, sims)):
        theory = run.results["grad_theory"][i]
        xi = float(run.results["xi_grad"][i])
        ax.semilogy(np.arange(len(theory)), theory, "-", color=f"C{i}",
                    label=f"σ_w² = {sw2:g}" + (f", ξ_∇ = {xi:.3g}" if math.isfinite(xi) else ""))
        if grad is not None and len(grad) == int(run.parameters["networks"]):
            ratio = grad / grad[:, -1:]
            sem = ratio.std(axis=0, ddof=1) / math.sqrt(len(ratio)) if len(ratio) > 1 else None
            ax.errorbar(np.arange(ratio.shape[1]), ratio.mean(axis=0), yerr=sem, fmt="o", ms=3, mfc="none",
                        color=f"C{i}")
    p = run.parameters
    ax.set(xlabel="layer l", ylabel="|δ^l|² / |δ^L|²",
           title=f"{p['architecture']} {p['phi']}, σ_b² = {p['sigma_b2']}, N = {p['width']}, "
                 f"{p['networks']} networks")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
