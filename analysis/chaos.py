"""Estimates and figures for the ``chaos`` study (Poole et al. 2016; Raghu et al. 2017).

* :func:`analyze` — the length growth factor per layer (geometric mean over the depth, mean ± s.e.m. over
  networks) against √χ_1, and each observable at the last layer against its mean-field value.
* :func:`run_figure` — the four observables of one run against the layer, simulation over theory.
* :func:`poole_fig3` — length L^E_l / L^E_0, normalised curvature κ̄_l and the top-2 principal-component share of
  the points' variance against depth in the ordered, critical and chaotic phases, with the recursions
  L ∝ χ_1^{l/2}, κ̄² = 3χ_2/χ_1² + κ̄²/χ_1 and the Fourier spectrum of the iterated c-map; the circle projected on
  its top two principal axes at three depths per phase (Poole et al., Figs. 3–4).
* :func:`poole_fig4` — the Grassmannian length L^G_l against depth: saturating in order, exponential in chaos.
* :func:`raghu_length` — trajectory length against depth for growing σ_w² and for ReLU at σ_w² = 2 (no growth,
  Hanin, Jeong & Rolnick 2022), neuron transitions against trajectory length, and for hard-tanh runs the growth
  per layer against width beside √χ_1 and the bound of Raghu et al. 2017, Theorem 1.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.io.runfile import Run, read_run
from statmech_nn.meanfield.curvature import HARD_TANH_BOUND_CONSTANT, raghu_hard_tanh_bound

from statmech_nn.summaries.chaos import (OBSERVABLES, analyze, check_run, length_ratios,  # noqa: F401 - re-exported
                                         top_fraction)

from .plots import plt, suptitle

LABELS = {"length": "length L^E", "curvature": "curvature κ̄ = √N κ", "grassmannian_length": "Grassmannian length L^G",
          "transitions": "neuron transitions"}


def _sizes(run: Run) -> str:
    p = run.parameters
    return f"N = {p['width']}, {p['networks']} {p['weights']} networks, {p['points']} points"


def _title(run: Run) -> str:
    p = run.parameters
    return f"φ = {p['phi']}, σ_w² = {p['sigma_w2']:g}, σ_b² = {p['sigma_b2']:g}, {_sizes(run)}"


def _panel(ax, run: Run, name: str, scale: float = 1.0, color="C0", label=None) -> None:
    """Theory (line) and network mean ± s.e.m. (points) of ``name`` against the layer, divided by ``scale``."""
    theory = run.results[f"{name}_theory"]
    ax.plot(np.arange(len(theory)), theory / scale, "-", color=color, lw=1.2, label=label)
    series = run.observables[name]
    values = series.value.astype(float) / scale
    n = values.shape[1]
    sem = values.std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else None
    ax.errorbar(series.step, values.mean(axis=1), yerr=sem, fmt="o", ms=3, color=color, mfc="none")


def run_figure(run: Run):
    """The four observables of a run against layer l: mean-field theory (lines), networks (points ± s.e.m.)."""
    check_run(run)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, name in zip(axes.flat, OBSERVABLES):
        _panel(ax, run, name, label="mean-field theory")
        if name != "curvature":
            ax.set_yscale("log")
        ax.set(xlabel="layer l", ylabel=LABELS[name])
        ax.legend(fontsize=8)
    suptitle(fig, f"chaos: {_title(run)}")
    fig.tight_layout()
    return fig


def _runs(runs) -> list[Run]:
    out = [r if isinstance(r, Run) else read_run(r) for r in runs]
    for run in out:
        check_run(run)
    return out


def _phase(run: Run) -> str:
    chi1 = float(run.results["chi1"])
    return "critical" if abs(chi1 - 1.0) < 1e-3 else "chaotic" if chi1 > 1.0 else "ordered"


def _legend(run: Run) -> str:
    return (f"{_phase(run)}: σ_w² = {run.parameters['sigma_w2']:g}, χ_1 = {float(run.results['chi1']):.3f}")


def _has_pca(run: Run) -> bool:
    return "pca_projection" in run.observables and len(run.observables["pca_projection"]) > 0


def _projection_layers(run: Run, count: int = 3) -> list[int]:
    """``count`` stored layers spread over the depth, from the first hidden layer to the last."""
    steps = run.observables["pca_projection"].step
    picks = np.unique(np.linspace(min(1, len(steps) - 1), len(steps) - 1, count).round().astype(int))
    return [int(steps[i]) for i in picks]


def _projection_panel(ax, run: Run, layer: int) -> None:
    """The first network's points at ``layer`` on their top two principal axes, coloured by the angle θ on the
    input circle; the title gives the measured share of the variance on the two axes beside the mean field."""
    series = run.observables["pca_projection"]
    row = int(np.flatnonzero(series.step == layer)[0])
    coords = series.value[row]
    theta = 2.0 * np.pi * np.arange(len(coords)) / len(coords)
    closed = np.vstack([coords, coords[:1]])
    ax.plot(closed[:, 0], closed[:, 1], "-", color="0.6", lw=0.4)
    ax.scatter(coords[:, 0], coords[:, 1], c=theta, cmap="hsv", s=1.5, lw=0)
    measured, theory = top_fraction(run)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(f"{_phase(run)}, l = {layer}: top-2 share {measured[row, 0]:.2f} (theory {theory[row]:.2f})",
                 fontsize=7)
    ax.tick_params(labelsize=6)
    ax.set_xlabel("PC 1 / √N", fontsize=7)
    ax.set_ylabel("PC 2 / √N", fontsize=7)


def poole_fig3(runs):
    """Top row: (a) L^E_l / L^E_0 (log scale), (b) κ̄_l and (c) the share of the points' variance on their top two
    principal axes against l, for chaos runs (or paths) in different phases: networks (points ± s.e.m.) over the
    recursions and the Fourier spectrum of the iterated c-map (lines); κ̄_∞ of a chaotic run (|χ_1 − 1| ≥ 1e-3)
    dashed. Below, one row per run: the first network's circle on its top two principal axes at three depths,
    coloured by the input angle (Poole et al. 2016, Fig. 3). Runs without the PCA observables give the top row
    without (c)."""
    from statmech_nn.meanfield.curvature import saturated_curvature

    runs = _runs(runs)
    pca = [run for run in runs if _has_pca(run)]
    columns = 3
    fig = plt.figure(figsize=(11, 3.6 + 2.9 * len(pca)), layout="constrained")
    grid = fig.add_gridspec(1 + len(pca), columns, height_ratios=[1.25] + [1.0] * len(pca))
    ax_l, ax_k = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    ax_f = fig.add_subplot(grid[0, 2]) if pca else None
    for k, run in enumerate(runs):
        color = f"C{k}"
        _panel(ax_l, run, "length", scale=float(run.results["length_theory"][0]), color=color, label=_legend(run))
        _panel(ax_k, run, "curvature", color=color, label=_legend(run))
        if _phase(run) == "chaotic":
            ax_k.axhline(saturated_curvature(float(run.results["chi1"]), float(run.results["chi2"])), color=color,
                         ls="--", lw=0.8)
        if ax_f is not None and _has_pca(run):
            measured, theory = top_fraction(run)
            steps = run.observables["pca_variance"].step
            ax_f.plot(steps, theory, "-", color=color, lw=1.2, label=_legend(run))
            n = measured.shape[1]
            ax_f.errorbar(steps, measured.mean(axis=1), yerr=measured.std(axis=1, ddof=1) / math.sqrt(n) if n > 1
                          else None, fmt="o", ms=3, color=color, mfc="none")
    ax_l.set(yscale="log", xlabel="layer l", ylabel="L^E_l / L^E_0", title="length grows by √χ_1 per layer")
    ax_k.set(yscale="log", xlabel="layer l", ylabel="κ̄_l = √N κ_l",
             title="curvature: κ̄² = 3χ_2/χ_1² + κ̄²/χ_1 (dashed: κ̄_∞)")
    axes = [ax_l, ax_k]
    if ax_f is not None:
        ax_f.set(xlabel="layer l", ylabel="variance share of PCs 1-2", ylim=(0, 1.05),
                 title="top-2 PCA share (lines: Fourier spectrum of c^l(θ))")
        axes.append(ax_f)
    for ax in axes:
        ax.title.set_fontsize(8)
        ax.legend(fontsize=7)
    for r, run in enumerate(pca, start=1):
        for c, layer in enumerate(_projection_layers(run, columns)):
            _projection_panel(fig.add_subplot(grid[r, c]), run, layer)
    suptitle(fig, f"Poole et al. 2016: circle through {runs[0].parameters['phi']} networks, "
                  f"σ_b² = {runs[0].parameters['sigma_b2']:g}, {_sizes(runs[0])}")
    return fig


def poole_fig4(runs):
    """Grassmannian length L^G_l (log scale) against l: 2π at the input circle, saturating in the ordered phase
    and growing as χ_1^{l/2} in the chaotic phase (global curvature exponential in depth)."""
    runs = _runs(runs)
    fig, ax = plt.subplots(figsize=(6, 4.4))
    for k, run in enumerate(runs):
        _panel(ax, run, "grassmannian_length", color=f"C{k}", label=_legend(run))
    ax.set(yscale="log", xlabel="layer l", ylabel="Grassmannian length L^G_l",
           title="Poole et al. 2016: L^G = κ̄ L^E / √N (lines), networks (points)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def raghu_length(runs):
    """(a) Trajectory length L^E_l / L^E_0 against depth for every run but hard-tanh (log scale; theory lines);
    (b) neuron transitions against trajectory length over all layers, with the Rice-formula line
    T = √N L^E / (π √q^l) of each run (Raghu et al. 2017: transitions proportional to trajectory length; hard-tanh
    runs at their largest width only, with their saturation changes, crossings of h = ±1, on 2 T e^{−1/(2q^l)}). With hard-tanh runs (Raghu et al.'s main activation) also (c) their length
    against depth, colour by σ_w², marker by width k, with the mean-field χ_1^{l/2} (lines), and (d) the growth
    factor per layer against k beside √χ_1 (the large-width limit) and the expression of Raghu et al.'s Theorem 1,
    σ_w √k / √(σ_w² + σ_b² + k √(σ_w² + σ_b²)) (dashed; a lower bound up to an unstated constant), and that times
    (2/π)^{1/4}, the constant the mean field implies (dotted)."""
    runs = _runs(runs)
    hard = [run for run in runs if run.parameters["phi"] == "hard-tanh"]
    smooth = [run for run in runs if run.parameters["phi"] != "hard-tanh"]
    widest = {}
    for run in hard:
        key = float(run.parameters["sigma_w2"])
        if key not in widest or run.parameters["width"] > widest[key].parameters["width"]:
            widest[key] = run
    rows = 2 if hard else 1
    fig, axes = plt.subplots(rows, 2, figsize=(10, 4.2 * rows), squeeze=False, layout="constrained")
    (ax_l, ax_t) = axes[0]

    def label(run):
        p = run.parameters
        return (f"{p['phi']}, σ_w² = {p['sigma_w2']:g}" + (f", k = {p['width']}" if p["phi"] == "hard-tanh" else "")
                + f" (χ_1 = {float(run.results['chi1']):.2f})")

    for k, run in enumerate(smooth + list(widest.values())):
        color = f"C{k}"
        if run in smooth:
            _panel(ax_l, run, "length", scale=float(run.results["length_theory"][0]), color=color, label=label(run))
        length, transitions = run["length"].astype(float), run["transitions"].astype(float)
        ax_t.loglog(length.ravel(), transitions.ravel(), "o", ms=3, mfc="none", color=color, label=label(run))
        ax_t.loglog(run.results["length_theory"], run.results["transitions_theory"], "-", lw=1, color=color)
        if run not in smooth and "saturation_transitions" in run.observables:
            ax_t.loglog(length.ravel(), run["saturation_transitions"].astype(float).ravel(), "s", ms=3, mfc="none",
                        color=color, label="  its saturation changes (h = ±1)")
            ax_t.loglog(run.results["length_theory"], run.results["saturation_transitions_theory"], "--", lw=1,
                        color=color)
    ax_l.set(yscale="log", xlabel="depth l", ylabel="trajectory length L^E_l / L^E_0",
             title="trajectory length against depth")
    ax_t.set(xlabel="trajectory length L^E_l", ylabel="neuron transitions T_l",
             title="transitions ∝ length (lines: Rice, √N L / (π √q^l); dashed: ×2e^{−1/(2q)})")
    if hard:
        _hard_tanh_panels(axes[1, 0], axes[1, 1], hard)
    for ax in axes.flat:
        ax.title.set_fontsize(8)
        ax.legend(fontsize=6)
    if hard:
        axes[1, 1].legend(fontsize=6, ncol=2, loc="upper left")
    shown = smooth[0] if smooth else hard[0]
    suptitle(fig, f"Raghu et al. 2017: {_sizes(shown)}" + (
        "; hard-tanh: σ_b² = {:g}, {} points, widths {}".format(
            hard[0].parameters["sigma_b2"], hard[0].parameters["points"],
            ", ".join(str(w) for w in sorted({r.parameters["width"] for r in hard}))) if hard else ""))
    return fig


def _hard_tanh_panels(ax_d, ax_k, runs: list[Run]) -> None:
    """Hard-tanh runs: (c) L^E_l / L^E_0 against depth, (d) the growth factor per layer against the width."""
    gains = sorted({float(r.parameters["sigma_w2"]) for r in runs})
    widths = sorted({int(r.parameters["width"]) for r in runs})
    markers = "osD^v<>"
    for g, sw2 in enumerate(gains):
        color = f"C{g}"
        mine = sorted((r for r in runs if float(r.parameters["sigma_w2"]) == sw2), key=lambda r: r.parameters["width"])
        sb2 = float(mine[0].parameters["sigma_b2"])
        for run in mine:
            marker = markers[widths.index(int(run.parameters["width"])) % len(markers)]
            series = run.observables["length"]
            values = series.value / float(run.results["length_theory"][0])
            ax_d.plot(series.step, np.exp(np.log(values).mean(axis=1)), marker, ms=3.5, mfc="none", color=color,
                      label=f"σ_w² = {sw2:g}, k = {run.parameters['width']}")
        theory = mine[-1].results["length_theory"]
        ax_d.plot(np.arange(len(theory)), theory / theory[0], "-", color=color, lw=1)
        ratios = [analyze(r)["length_ratio"] for r in mine]
        k = np.array([r.parameters["width"] for r in mine], dtype=float)
        ax_k.errorbar(k, [e.value for e in ratios], yerr=[0 if not math.isfinite(e.error) else e.error for e in ratios],
                      fmt="o", ms=4, color=color, mfc="none", label=f"σ_w² = {sw2:g}")
        ax_k.axhline(math.sqrt(float(mine[0].results["chi1"])), color=color, lw=1)
        grid = np.geomspace(k.min() / 1.5, k.max() * 1.5, 100)
        expression = np.array([raghu_hard_tanh_bound(sw2, sb2, w) for w in grid])
        ax_k.plot(grid, expression, "--", color=color, lw=1)
        ax_k.plot(grid, HARD_TANH_BOUND_CONSTANT * expression, ":", color=color, lw=1)
    for style, text in (("-", "√χ_1 (mean field, k → ∞)"), ("--", "Raghu et al. Thm 1 expression"),
                        (":", "× (2/π)^{1/4} (constant implied by the mean field)")):
        ax_k.plot([], [], style, color="k", lw=1, label=text)
    low, high = ax_k.get_ylim()
    ax_k.set_ylim(low, high + 0.45 * (high - low))  # room for the legend above the data
    ax_d.set(yscale="log", xlabel="depth l", ylabel="trajectory length L^E_l / L^E_0",
             title="hard-tanh: length against depth (geometric mean over networks; lines: χ_1^{l/2})")
    ax_k.set(xscale="log", xlabel="width k", ylabel="growth factor per layer (L^E_L / L^E_0)^{1/L}",
             title="hard-tanh: growth per layer rises with k towards √χ_1")
