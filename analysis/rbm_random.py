"""Figures of the ``rbm-random`` study (docs/rbm_random.md); the numbers are
:mod:`statmech_nn.summaries.rbm_random`'s (its :func:`spin_glass_crossing` is re-exported here).

* :func:`run_figure` — overlap histograms and time series of one run.
* :func:`phase_figure` — a T × w0 × N_v sweep: maps of [⟨q_v²⟩] and [⟨|m_v|⟩] with the phase boundaries where
  they apply (PM–SG T = σ for w0 < σ, PM–F T = w0 for w0 > σ, SG–F w0 = σ for T < σ), and the Binder ratio
  against T for each size with its crossing (:func:`spin_glass_crossing`).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.summaries.rbm_random import axis_cut, spin_glass_crossing

from .plots import plt

__all__ = ["phase_figure", "run_figure", "spin_glass_crossing"]


def run_figure(run: Run):
    """(a) histograms of q_v and q_h over all samples, pairs and rows; (b) [q_v²] and [|m_v|] against sweep."""
    fig, (ax_p, ax_t) = plt.subplots(1, 2, figsize=(10, 3.8))
    p = run.parameters
    sizes = {"v": int(p["n_visible"]), "h": int(p["n_hidden"] or p["n_visible"])}
    for layer, color in (("v", "C0"), ("h", "C1")):
        q = np.asarray(run[f"q_{layer}"]).ravel()
        step = 2.0 / sizes[layer]  # q takes the values -1, -1 + step, ..., 1: one bin per value
        bins = np.arange(-1.0 - step / 2, 1.0 + step, step)
        ax_p.hist(q, bins=bins, density=True, histtype="step", color=color, label=f"q_{layer}")
    ax_p.set(xlabel="overlap q", ylabel="P(q)", title="replica overlaps (all disorder samples)")
    ax_p.legend(fontsize=8)
    steps = run.observables["q_v"].step
    ax_t.plot(steps, (np.asarray(run["q_v"]) ** 2).mean(axis=(1, 2)), lw=0.8, label="[q_v²]")
    ax_t.plot(steps, np.asarray(run["abs_m_v"]).mean(axis=(1, 2)), lw=0.8, label="[|m_v|]")
    ax_t.set(xlabel="sweep", title="disorder averages per row")
    ax_t.legend(fontsize=8)
    fig.suptitle(f"rbm-random: N_v = {p['n_visible']}, N_h = {p['n_hidden'] or p['n_visible']}, σ = {p['sigma']}, "
                 f"w0 = {p['w0']}, h = {p['field']}, T = {p['T']}, {p['samples']} samples", fontsize=9)
    fig.tight_layout()
    return fig


def _draw_phase_boundaries(ax, sigma: float, T: np.ndarray, w0: np.ndarray, color: str = "w") -> None:
    """The boundaries of the (T, w0) plane (docs/rbm_random.md), each only where it applies: PM–SG at βσ = 1
    (T = σ) for w0 < σ, PM–F at βw0 = 1 (T = w0) for w0 > σ, and SG–F at w0 = σ below T = σ (the SK-like diagram
    of Decelle, Fissore & Furtlehner 2018 and Barra et al. 2018; the three meet at T = w0 = σ)."""
    low_w0, low_T, top = min(w0.min(), sigma), min(T.min(), sigma), max(T.max(), w0.max(), sigma)
    ax.plot([sigma, sigma], [low_w0, sigma], color=color, ls="--", lw=1.2, label="PM–SG: T = σ (w0 < σ)")
    ax.plot([sigma, top], [sigma, top], color=color, ls=":", lw=1.5, label="PM–F: T = w0 (w0 > σ)")
    ax.plot([low_T, sigma], [sigma, sigma], color=color, ls="-.", lw=1.2, label="SG–F: w0 = σ (T < σ)")


def phase_figure(sweep):
    """Phase diagram of an ``rbm-random`` sweep over n_visible × w0 × T (σ fixed): see the module docstring."""
    if sweep.study != "rbm-random" or not {"n_visible", "w0", "T"} <= set(sweep.axes):
        raise FormatError(f"{sweep.path}: phase_figure needs an rbm-random sweep over n_visible, w0 and T")
    axes = list(sweep.axes)
    sigma = float(sweep.parameters.get("sigma", 1.0))
    T, w0, sizes = sweep.axes["T"], sweep.axes["w0"], sweep.axes["n_visible"]
    fig, (ax_q, ax_m, ax_g) = plt.subplots(1, 3, figsize=(15, 4.4))
    big = {"n_visible": len(sizes) - 1}
    for ax, name, label in ((ax_q, "q2_v", "[⟨q_v²⟩]"), (ax_m, "abs_m_v", "[⟨|m_v|⟩]")):
        values = axis_cut(sweep, name, big)[0]
        rest = [a for a in axes if a != "n_visible"]
        if rest[0] == "T":
            values = values.T
        mesh = ax.pcolormesh(T, w0, values, shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=label)
        _draw_phase_boundaries(ax, sigma, T, w0)
        ax.set(xlabel="T", ylabel="w0", title=f"{label}, N_v = {sizes[-1]}", xlim=(T.min(), T.max()),
               ylim=(w0.min(), w0.max()))
        ax.legend(fontsize=7, loc="upper right")
    zero = {"w0": int(np.argmin(np.abs(w0)))}
    for k, n in enumerate(sizes):
        mean, err = axis_cut(sweep, "binder_q_v", {**zero, "n_visible": k})
        ax_g.errorbar(T, mean, yerr=err, marker="o", ms=3, capsize=2, lw=1, label=f"N_v = N_h = {n}")
    ax_g.axvline(sigma, color="k", ls="--", lw=0.8, label="annealed βσ = 1")
    if len(sizes) >= 2:
        try:
            tc = spin_glass_crossing(sweep)
            if math.isfinite(tc.value):
                ax_g.axvspan(tc.value - tc.error, tc.value + tc.error, color="C3", alpha=0.25,
                             label=f"crossing T = {tc}")
        except FormatError:
            pass
    ax_g.set(xlabel="T", ylabel="g_v = ½(3 − [⟨q⁴⟩]/[⟨q²⟩]²)", title=f"overlap Binder ratio, w0 = {w0[zero['w0']]}")
    ax_g.legend(fontsize=7)
    fig.tight_layout()
    return fig
