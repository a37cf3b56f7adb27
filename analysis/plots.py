"""Figures of runs (time series, histograms) as matplotlib figures and PNG files."""
from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from statmech_nn.io.runfile import Run

from statmech_nn import stats


def _title(run: Run) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in run.parameters.items() if k not in ("seed",))
    return f"{run.study}: {shown}"


def suptitle(fig: plt.Figure, text: str, fontsize: float = 9) -> None:
    """The figure title, wrapped to the figure's width (about 0.55 em per character) instead of being clipped when
    it names long parameters such as file paths."""
    width = max(20, int(fig.get_figwidth() * 72 / (0.55 * fontsize)))
    fig.suptitle(textwrap.fill(text, width), fontsize=fontsize)


def _per_replica(series) -> bool:
    return series.value.ndim == 2 and tuple(series.dims[1:]) == ("replica",)


def run_figure(run: Run) -> plt.Figure:
    """One row per scalar observable: the time series (left) and its histogram (right), τ_int in the legend. An
    observable of independent replicas (dims ``(step, replica)``) shows the replica mean with the band of ±1
    standard deviation across replicas, its mean's error taken over replicas, and the histogram of all values."""
    names = [n for n, s in run.observables.items() if len(s) and (s.value.ndim == 1 or _per_replica(s))]
    fig, axes = plt.subplots(len(names), 2, figsize=(11, 2.6 * len(names) + 0.6), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 1]})
    for (ax_t, ax_h), name in zip(axes, names):
        series = run.observables[name]
        if _per_replica(series):
            per_replica = series.value.mean(axis=0)
            n = per_replica.size
            mean, spread = series.value.mean(axis=1), series.value.std(axis=1)
            ax_t.fill_between(series.step, mean - spread, mean + spread, color="C0", alpha=0.25, lw=0,
                              label=f"±1 s.d. over {n} replicas")
            ax_t.plot(series.step, mean, lw=0.4, color="C0")
            error = per_replica.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
            ax_t.axhline(per_replica.mean(), color="k", lw=0.8,
                         label=f"mean {per_replica.mean():.6g} ± {error:.2g} (over replicas)")
        else:
            est = stats.mean(series.value)
            ax_t.plot(series.step, series.value, lw=0.4, color="C0")
            ax_t.axhline(est.value, color="k", lw=0.8, label=f"mean {est}, τ_int = {est.tau:.3g}")
        ax_t.set_ylabel(name)
        ax_t.legend(loc="upper right", fontsize=8)
        _histogram(ax_h, series.value.ravel())
    axes[-1, 0].set_xlabel("step (sweeps)")
    suptitle(fig, _title(run))
    fig.tight_layout()
    return fig


def _histogram(ax, values: np.ndarray) -> None:
    """Horizontal histogram; a discrete observable (few distinct values, e.g. a small lattice's energy levels)
    gets one bar per value instead of bins that straddle the levels."""
    levels, counts = np.unique(values, return_counts=True)
    if len(levels) <= 100:
        height = np.min(np.diff(levels)) * 0.8 if len(levels) > 1 else 1.0
        ax.barh(levels, counts, height=height, color="C0", alpha=0.8)
    else:
        ax.hist(values, bins=min(80, max(10, int(np.sqrt(len(values))))), orientation="horizontal",
                color="C0", alpha=0.8)
    ax.set_xlabel("count")


def save(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
