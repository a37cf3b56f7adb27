"""Figures of the ``info-plane`` study (Shwartz-Ziv & Tishby 2017, Figs. 3–4; Saxe et al. 2018, Fig. 1).

* :func:`run_figure` — one run: the information plane (one curve per hidden layer, points coloured by epoch), the
  losses and test accuracy, and each layer's mean and spread of per-sample gradients (drift and diffusion);
* :func:`plane_grid` — several runs' planes side by side (tanh/ReLU × estimators, docs/information_plane.md);
* :func:`seeds_figure` — a sweep over ``replicate`` (and ``phi``): the plane averaged over seeds (mean ± s.e.m.
  in both coordinates), compression per layer, and compression against the generalization gap.
"""
from __future__ import annotations

import math

import matplotlib.colors
import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run, read_run
from statmech_nn.io.sweepfile import DONE
from statmech_nn.summaries.info_plane import analyze, check_run, compression, minibatch_snr  # noqa: F401

from .plots import plt

MARKERS = "osD^v<>p*hX"


def _settings(run: Run, phi: bool = True) -> str:
    p = run.parameters
    est = p["estimator"]
    if est == "binning":
        est += f" ({p['binning']}, {p['bins']} bins" + (
            f" on [{p['bin_low']:g}, {p['bin_high']:g}])" if p["binning"] == "fixed" else ")")
    else:
        est += f" (σ² = {p['noise_var']:g}" + (f", k = {p['knn_k']})" if est == "ksg" else ")")
    layers = "-".join(str(int(w)) for w in np.atleast_1d(p["layers"]))
    return f"{p['task']}, 12-{layers}-2{' ' + p['phi'] if phi else ''}, {p['optimizer']} lr {p['lr']:g}, {est}"


def plane(ax, run: Run, norm=None, colorbar: bool = True):
    """Draw the information plane of ``run`` on ``ax``; returns the colour scale (epoch, logarithmic)."""
    check_run(run)
    xt, ty = run.observables["mi_xt"], run["mi_ty"]
    epochs = xt.step + 1
    norm = norm or matplotlib.colors.LogNorm(1, max(int(epochs.max()), 2))
    for l in range(xt.value.shape[1]):
        ax.plot(xt.value[:, l], ty[:, l], "-", color="0.7", lw=0.7, zorder=1)
        points = ax.scatter(xt.value[:, l], ty[:, l], c=epochs, norm=norm, cmap="viridis", s=14,
                            marker=MARKERS[l % len(MARKERS)], zorder=2, label=f"layer {l + 1}")
    ax.axvline(float(run.results["log2_inputs"]), color="k", ls=":", lw=0.8)
    ax.axhline(float(run.results["h_y"]), color="k", ls=":", lw=0.8)
    ax.set(xlabel="I(X;T) [bits]", ylabel="I(T;Y) [bits]")
    if colorbar:
        ax.figure.colorbar(points, ax=ax, label="epoch + 1")
    return norm


def run_figure(run: Run):
    """Plane, losses and gradient moments of one run (module docstring)."""
    check_run(run)
    fig, (ax_p, ax_l, ax_g) = plt.subplots(1, 3, figsize=(16, 4.6))
    plane(ax_p, run)
    ax_p.legend(fontsize=7, loc="lower right")
    steps = run.observables["train_loss"].step + 1
    ax_l.plot(steps, run["train_loss"], "o-", ms=3, label="train loss")
    ax_l.plot(steps, run["test_loss"], "s-", ms=3, label="test loss")
    ax_l.set(xscale="log", yscale="log", xlabel="epoch + 1", ylabel="cross-entropy [nats]")
    twin = ax_l.twinx()
    twin.plot(steps, run["test_accuracy"], "k--", lw=1, label="test accuracy")
    twin.set(ylabel="test accuracy", ylim=(0, 1.02))
    ax_l.legend(fontsize=7, loc="lower left")
    _, peak, _ = compression(run)
    for l in range(run["grad_mean"].shape[1]):
        ax_g.plot(steps, run["grad_mean"][:, l], "-", color=f"C{l}", lw=1.2, label=f"layer {l + 1}: |mean|")
        ax_g.plot(steps, run["grad_std"][:, l], ":", color=f"C{l}", lw=1.2)
    for epoch in np.unique(peak):
        ax_g.axvline(epoch + 1, color="0.5", lw=0.6)
    ax_g.set(xscale="log", yscale="log", xlabel="epoch + 1",
             ylabel="per-sample gradient: |mean| (solid), std (dotted)",
             title="grey lines: epochs of maximal I(X;T)")
    ax_g.legend(fontsize=6, ncol=2)
    fig.suptitle(f"info-plane: {_settings(run)}", fontsize=9)
    fig.tight_layout()
    return fig


def plane_grid(runs, titles=None, columns: int = 2):
    """The planes of several runs side by side, one colour scale of epochs."""
    runs = [r if isinstance(r, Run) else read_run(r) for r in runs]
    rows = math.ceil(len(runs) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns + 1, 3.8 * rows), squeeze=False,
                             layout="constrained")
    top = max(int(r.observables["mi_xt"].step.max()) + 1 for r in runs)
    norm = matplotlib.colors.LogNorm(1, max(top, 2))
    for k, (ax, run) in enumerate(zip(axes.flat, runs)):
        plane(ax, run, norm, colorbar=False)
        ax.set_title(titles[k] if titles else _settings(run), fontsize=8)
    for ax in axes.flat[len(runs):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=axes, label="epoch + 1", shrink=0.6)
    return fig


def _groups(sweep):
    """{phi: [runs of its done points]} of a sweep over ``replicate`` (and optionally ``phi``)."""
    if sweep.study != "info-plane" or "replicate" not in sweep.axes:
        raise FormatError(f"{sweep.path}: seeds_figure needs an info-plane sweep over replicate")
    extra = [a for a in sweep.axes if a not in ("replicate", "phi") and len(sweep.axes[a]) > 1]
    if extra:
        raise FormatError(f"{sweep.path}: seeds_figure averages over replicate only; fix {', '.join(extra)}")
    phis = list(sweep.axes["phi"]) if "phi" in sweep.axes else [sweep.parameters["phi"]]
    groups = {str(phi): [] for phi in phis}
    for index in np.ndindex(sweep.shape):
        if sweep.status[index] == DONE:
            run = sweep.point(index)
            groups[str(run.parameters["phi"])].append(run)
    return {phi: runs for phi, runs in groups.items() if runs}


def _mean_sem(values: np.ndarray):
    n = len(values)
    return values.mean(axis=0), (values.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.zeros(values.shape[1:]))


def seeds_figure(sweep):
    """Top: the plane averaged over seeds for each activation, mean ± s.e.m. of both coordinates at every logged
    epoch; bottom: compression max − final I(X;T) per layer (mean ± s.e.m.), and each seed's mean compression
    against its generalization gap (final test − train loss)."""
    groups = _groups(sweep)
    if not groups:
        raise FormatError(f"{sweep.path}: no finished points")
    fig = plt.figure(figsize=(5.2 * max(len(groups), 2), 9))
    grid = fig.add_gridspec(2, max(len(groups), 2))
    for k, (phi, runs) in enumerate(groups.items()):
        ax = fig.add_subplot(grid[0, k])
        xt = np.array([r["mi_xt"] for r in runs])
        ty = np.array([r["mi_ty"] for r in runs])
        (mx, ex), (my, ey) = _mean_sem(xt), _mean_sem(ty)
        epochs = runs[0].observables["mi_xt"].step + 1
        norm = matplotlib.colors.LogNorm(1, max(int(epochs.max()), 2))
        for l in range(mx.shape[1]):
            ax.errorbar(mx[:, l], my[:, l], xerr=ex[:, l], yerr=ey[:, l], color="0.6", lw=0.7, elinewidth=0.6)
            ax.scatter(mx[:, l], my[:, l], c=epochs, norm=norm, cmap="viridis", s=14, zorder=3,
                       marker=MARKERS[l % len(MARKERS)], label=f"layer {l + 1}")
        ax.set(xlabel="I(X;T) [bits]", ylabel="I(T;Y) [bits]", title=f"{phi}: mean ± s.e.m. of {len(runs)} seeds")
        ax.legend(fontsize=7, loc="lower right")
    ax_c, ax_g = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    for k, (phi, runs) in enumerate(groups.items()):
        drops = np.array([compression(r)[2] for r in runs])
        mean, sem = _mean_sem(drops)
        ax_c.errorbar(np.arange(1, len(mean) + 1) + 0.08 * k, mean, yerr=sem, marker="o", capsize=3, label=phi)
        gap = [r["test_loss"][-1] - r["train_loss"][-1] for r in runs]
        ax_g.scatter(gap, drops.mean(axis=1), s=12, label=phi)
    ax_c.axhline(0, color="k", lw=0.6)
    ax_c.set(xlabel="hidden layer", ylabel="compression: max − final I(X;T) [bits]")
    ax_c.legend(fontsize=8)
    ax_g.set(xlabel="generalization gap: test − train loss [nats]", ylabel="compression, mean over layers [bits]")
    ax_g.legend(fontsize=8)
    fig.suptitle(f"info-plane sweep {sweep.path.name}: {_settings(groups[next(iter(groups))][0], phi=False)}", fontsize=9)
    fig.tight_layout()
    return fig
