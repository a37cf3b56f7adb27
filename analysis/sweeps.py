"""Sweep files: summary curves y(x) for each value of a third axis, and the Ising critical temperature from
Binder-cumulant crossings."""
from __future__ import annotations

import math

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.models.ising import T_CRITICAL
from statmech_nn.io.sweepfile import DONE, FAILED, Sweep

from statmech_nn.stats import Crossings, binder_crossings


def curves(sweep: Sweep, x: str, y: str, hue: str | None = None):
    """(x values, [(hue value, mean, error)]) of summary ``y`` against axis ``x``, one curve per ``hue`` value.

    Every other grid axis must have a single value (a curve is a cut through the grid, never an average)."""
    axes = list(sweep.axes)
    for name, role in ((x, "--x"), (hue, "--hue")):
        if name is not None and name not in axes:
            raise FormatError(f"{role} {name!r}: not a grid axis of {sweep.path}; axes: {', '.join(axes)}")
    if y not in sweep.results:
        raise FormatError(f"--y {y!r}: not a summary of {sweep.path}; summaries: {', '.join(sweep.results)}")
    if hue == x:
        raise FormatError(f"--hue {hue!r}: must differ from --x")
    extra = [a for a in axes if a not in (x, hue) and len(sweep.axes[a]) > 1]
    if extra:
        raise FormatError(f"axes {', '.join(extra)} have several values; choose them as --x or --hue")
    order = [axes.index(x)] + ([axes.index(hue)] if hue else [])
    order += [i for i in range(len(axes)) if i not in order]

    def cut(a):
        a = np.transpose(a, order).reshape(len(sweep.axes[x]), -1)
        return a if hue else a[:, :1]

    mean, error = cut(sweep.results[y].mean), cut(sweep.results[y].error)
    hues = sweep.axes[hue] if hue else [None]
    return sweep.axes[x], [(h, mean[:, k], error[:, k]) for k, h in enumerate(hues)]


def sweep_figure(sweep: Sweep, x: str, y: str, hue: str | None = None) -> plt.Figure:
    """``y`` ± error against ``x``, one line per ``hue`` value; Binder plots get the crossing estimate."""
    xs, lines = curves(sweep, x, y, hue)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for h, mean, err in lines:
        ax.errorbar(xs, mean, yerr=err, marker="o", ms=3, capsize=2, lw=1, label=None if h is None else f"{hue} = {h}")
    if sweep.study == "ising" and y == "binder" and x == "T" and hue == "L":
        _mark_crossing(ax, xs, lines, ising_critical_temperature(sweep).tc)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{sweep.study} sweep: {sweep.path.name}", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def map_figure(sweep: Sweep, name: str) -> plt.Figure:
    """Heat map of summary ``name`` over the sweep's two multi-valued axes (the first one horizontal); for χ_1
    the χ_1 = 1 contour (order | chaos) is drawn. Positive summaries spanning more than two decades (ξ_c, which
    diverges at criticality) get a logarithmic colour scale; non-finite cells are left blank."""
    if name not in sweep.results:
        raise FormatError(f"--map {name!r}: not a summary of {sweep.path}; summaries: {', '.join(sweep.results)}")
    axes = [a for a, v in sweep.axes.items() if len(v) > 1]
    if len(axes) != 2:
        raise FormatError(f"--map needs a sweep with exactly two axes of several values; {sweep.path} has "
                          f"{len(axes)}")
    values = sweep.results[name].mean.reshape([len(v) for v in sweep.axes.values() if len(v) > 1])
    x, y = (sweep.axes[a] for a in axes)
    fig, ax = plt.subplots(figsize=(6.4, 5), layout="constrained")
    norm = (matplotlib.colors.TwoSlopeNorm(1.0) if name == "chi1" and np.nanmin(values) < 1 < np.nanmax(values)
            else _log_norm(values))
    mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(values.T), shading="nearest",
                         cmap="RdBu_r" if name == "chi1" else "viridis", norm=norm)
    fig.colorbar(mesh, ax=ax, label=name + (" (log scale)" if isinstance(norm, matplotlib.colors.LogNorm) else ""))
    if name == "chi1":
        ax.contour(x, y, values.T, levels=[1.0], colors="k", linewidths=1.2)
        ax.plot([], [], color="k", label="χ_1 = 1")
        ax.legend(fontsize=8, loc="upper left")
    ax.set(xlabel=axes[0], ylabel=axes[1], title=f"{sweep.study} sweep: {name}")
    return fig


def _log_norm(values: np.ndarray) -> matplotlib.colors.LogNorm | None:
    """A logarithmic colour scale when the finite values are all positive and span more than two decades (e.g. ξ_c,
    which diverges at the edge of chaos); None (linear) otherwise."""
    finite = values[np.isfinite(values)]
    if finite.size == 0 or finite.min() <= 0 or finite.max() <= 100 * finite.min():
        return None
    return matplotlib.colors.LogNorm(finite.min(), finite.max())


def _mark_crossing(ax, xs, lines, tc) -> None:
    """Shade T_c ± error, draw Onsager's T_c, and zoom on the crossing in an inset."""
    inset = ax.inset_axes([0.1, 0.37, 0.33, 0.3])
    near = np.abs(xs - tc.value) <= 2.5 * np.min(np.diff(np.sort(xs)))
    for k, (_, mean, err) in enumerate(lines):
        inset.errorbar(xs[near], mean[near], yerr=err[near], color=f"C{k}", marker="o", ms=2, capsize=2, lw=1)
    for a in (ax, inset):
        a.axvspan(tc.value - tc.error, tc.value + tc.error, color="C3", alpha=0.25)
        a.axvline(T_CRITICAL, color="k", ls="--", lw=0.8)
    ax.plot([], [], color="C3", alpha=0.4, lw=6, label=f"crossing of the largest sizes: T_c = {tc}")
    ax.plot([], [], color="k", ls="--", lw=0.8, label=f"Onsager T_c = {T_CRITICAL:.5f}")
    inset.tick_params(labelsize=6)


def ising_critical_temperature(sweep: Sweep, **options) -> Crossings:
    """T_c from the pairwise crossings of U_L(T) (axes ``L`` and ``T``); see :mod:`.binder`."""
    if sweep.study != "ising" or not {"L", "T"} <= set(sweep.axes) or "binder" not in sweep.results:
        raise FormatError(f"{sweep.path}: Binder crossings need an ising sweep over L and T")
    T, lines = curves(sweep, "T", "binder", "L")
    if len(lines) < 2:
        raise FormatError(f"{sweep.path}: Binder crossings need at least two sizes L")
    U = np.array([m for _, m, _ in lines])
    err = np.array([e for _, _, e in lines])
    order = np.argsort(T)
    return binder_crossings(T[order], [h for h, _, _ in lines], U[:, order], err[:, order], **options)


def summary_table(sweep: Sweep) -> list[str]:
    """Lines describing a sweep's state and, for an Ising L×T sweep, T_c from the Binder crossings."""
    done = int(np.sum(sweep.status == DONE))
    failed = int(np.sum(sweep.status == FAILED))
    lines = [f"{sweep.path}: {sweep.study} sweep, {sweep.state}, {done}/{sweep.status.size} points done, "
             f"{failed} failed; axes " + ", ".join(f"{k}[{len(v)}]" for k, v in sweep.axes.items())]
    try:
        c = ising_critical_temperature(sweep)
    except FormatError:
        return lines
    for (a, b), est in c.pairs.items():
        lines.append(f"  crossing U_{a} = U_{b}:  T = {est}")
    tc = c.tc
    z = (tc.value - T_CRITICAL) / tc.error if tc.error > 0 else math.nan
    lines.append(f"  T_c (crossing of the two largest sizes) = {tc};  Onsager 2/ln(1+sqrt 2) = {T_CRITICAL:.6f};  "
                 f"deviation {z:+.1f} sigma")
    return lines
