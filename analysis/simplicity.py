"""Figures of the ``simplicity`` study (docs/simplicity.md); the numbers are :mod:`statmech_nn.summaries.simplicity`'s.

* :func:`run_figure` — (a) rank–frequency P(f) against rank; (b) P(f) against K_LZ(f) of every sampled function,
  the envelope (most probable function of each K), the fitted bound 2^(−aK−b) and the shifted bound 2^(−aK−b_bound)
  (Valle-Pérez, Camargo & Louis 2019, Fig. 1 style); (c) distinct functions against samples: observed after each
  block, and the rarefaction expectation from the final counts.
* :func:`depth_figure` — a sweep over ``depth`` (any second axis, e.g. ``match``, as hue): a, P(constant), the
  entropy and the mean K against depth with their bootstrap errors.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.simplicity.estimators import complexity_bound_fit, rank_frequency, rarefaction
from statmech_nn.summaries.simplicity import analyze, check_run, merge_runs  # noqa: F401 - re-exported

from .plots import plt

DEPTH_PANELS = (("a", "bound slope a"), ("p_constant", "P(constant)"), ("entropy", "entropy of P(f) (bits)"),
                ("mean_complexity", "mean K_LZ"))


def _title(run: Run) -> str:
    p, r = run.parameters, run.results
    widths = "-".join(map(str, [p["inputs"], *np.atleast_1d(r["hidden_widths"]).tolist(), 1]))
    return (f"{widths} {p['phi']}, {p['weights']} σ_w² = {p['sigma_w2']:g}, σ_b² = {p['sigma_b2']:g}; "
            f"{int(r['n_samples']):.3g} samples, {int(r['n_distinct'])} distinct functions")


def run_figure(run: Run):
    """The three panels of the module docstring."""
    check_run(run)
    r = run.results
    counts, complexity = np.asarray(r["counts"]), np.asarray(r["complexity"])
    total = counts.sum()
    fig, (ax_r, ax_k, ax_d) = plt.subplots(1, 3, figsize=(15, 4.4))
    rank, p = rank_frequency(counts)
    ax_r.loglog(rank, p, "-", lw=1.2)
    ax_r.set(xlabel="rank", ylabel="P(f)", title="rank–frequency")
    ax_k.semilogy(complexity, counts / total, ".", ms=2, alpha=0.4, color="C0", rasterized=True,
                  label="sampled functions")
    try:
        fit = complexity_bound_fit(counts, complexity)
        ax_k.semilogy(fit["k"], 2.0 ** fit["log2_p"], "s", ms=4, mfc="none", color="C3", label="envelope (fitted)")
        k = np.linspace(complexity.min(), complexity.max(), 50)
        ax_k.semilogy(k, 2.0 ** (-fit["a"] * k - fit["b"]), "-", color="C3",
                      label=f"2^(−aK−b): a = {fit['a']:.3f}, b = {fit['b']:.2f}")
        ax_k.semilogy(k, 2.0 ** (-fit["a"] * k - fit["b_bound"]), "--", color="C3", lw=0.8,
                      label=f"bound through the envelope (b = {fit['b_bound']:.2f})")
    except Exception as exc:  # too few complexity classes for a fit: the points alone  # noqa: BLE001
        ax_k.text(0.5, 0.9, f"no bound fit: {exc}", transform=ax_k.transAxes, ha="center", fontsize=7)
    ax_k.axhline(1.0 / total, color="k", lw=0.6, ls=":", label="sampling floor 1/N")
    ax_k.set(xlabel="K_LZ(f)", ylabel="P(f)", title="probability against complexity", ylim=(0.3 / total, 1.5))
    ax_k.legend(fontsize=7, loc="upper right")
    series = run.observables["distinct"]
    ax_d.loglog(series.step, series.value, "-", lw=1.2, label="observed (after each block)")
    m = np.unique(np.geomspace(1, total, 40).astype(np.int64))
    ax_d.loglog(m, rarefaction(counts, m), "--", lw=1, label="rarefaction E D_m of the final counts")
    ax_d.loglog(m, m, ":", color="k", lw=0.6, label="all distinct")
    ax_d.set(xlabel="samples", ylabel="distinct functions", title="distinct functions against samples")
    ax_d.legend(fontsize=7)
    fig.suptitle(f"simplicity: {_title(run)}", fontsize=9)
    fig.tight_layout()
    return fig


def depth_figure(sweep):
    """a, P(constant), entropy and mean K against depth (one line per value of the other axis, if any)."""
    axes = list(sweep.axes)
    if sweep.study != "simplicity" or "depth" not in axes or len(axes) > 2:
        raise FormatError(f"{sweep.path}: depth_figure needs a simplicity sweep over depth (and one more axis)")
    depth = sweep.axes["depth"]
    other = next((a for a in axes if a != "depth"), None)
    fig, panels = plt.subplots(1, len(DEPTH_PANELS), figsize=(16, 3.8))
    for ax, (name, label) in zip(panels, DEPTH_PANELS):
        mean, err = sweep.results[name].mean, sweep.results[name].error
        if axes[0] == "depth" and other is not None:
            mean, err = mean.T, err.T
        rows = [(f"{other} = {v}", mean[i], err[i]) for i, v in enumerate(sweep.axes[other])] if other else \
            [("", mean, err)]
        for legend, m, e in rows:
            ax.errorbar(depth, m, yerr=e, marker="o", ms=3, capsize=2, lw=1, label=legend or None)
        ax.set(xlabel="hidden layers", ylabel=label)
        if other:
            ax.legend(fontsize=7)
    p = sweep.parameters
    fig.suptitle(f"simplicity vs depth: n = {p.get('inputs')}, reference layers {p.get('layers')}, {p.get('phi')}, "
                 f"σ_w² = {p.get('sigma_w2')}, σ_b² = {p.get('sigma_b2')}, {p.get('samples')} samples per point "
                 "(errors: bootstrap)", fontsize=9)
    fig.tight_layout()
    return fig
