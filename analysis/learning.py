"""Figures of the ``capacity``, ``hopfield`` and ``teacher-student`` studies (docs/learning.md); the numbers are
:mod:`statmech_nn.summaries.learning`'s.

* :func:`capacity_figure` — separable fraction against α: trials (± s.e.) over Cover's finite-N count (κ = 0) or
  the N → ∞ step at Gardner's α_c(κ) / Krauth–Mézard's α_c (±1 weights).
* :func:`hopfield_figure` — final Mattis overlap against α over the AGS retrieval-state m(α, T), with α_c, m_c.
* :func:`teacher_student_figure` — ε(α) of the run's student over its RS theory, with the Gibbs, Bayes and Hebb
  theory curves for reference (±1 weights: the first-order jump, and the fraction of trials whose version space
  holds the teacher alone).
* :func:`hopfield_sweep_figure` — a sweep over T (the (α, T) phase diagram: overlap map under the AGS lines T_g,
  T_M and T_c) or over the cue noise (basins of attraction: overlap map and the largest noise still recalled).
* :func:`teacher_student_sweep_figure` — a sweep over the training temperature T: ε(α) per T over the RS theory.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.learning import hopfield_theory
from statmech_nn.summaries.learning import (analyze_capacity, analyze_hopfield,  # noqa: F401 - re-exported
                                            analyze_teacher_student, learning_curve_theory)

from .plots import plt

BASIN_LEVEL = 0.9  # a cue counts as recalled when the mean final overlap is at least this


def _simulated(ax, run: Run, name: str, label: str, color="C0"):
    r = run.results
    ax.errorbar(r["alpha"], r[name], yerr=r[f"{name}_error"], fmt="o", ms=3.5, capsize=2, color=color, label=label)


def _title(run: Run, fig, extra: str = "") -> None:
    p = run.parameters
    fig.suptitle(f"{run.study}: N = {p['N']}, {p['trials']} trials per load{extra}", fontsize=9)


def capacity_figure(run: Run):
    r, p = run.results, run.parameters
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    alpha = r["alpha"]
    ising = p["weights"] == "ising"
    fine = np.linspace(alpha.min(), alpha.max(), 400)
    if not ising and float(p["kappa"]) == 0.0:
        from statmech_nn.learning.capacity import separable_fraction_theory
        P = np.unique(np.maximum(1, np.round(fine * int(p["N"])))).astype(int)
        ax.plot(P / int(p["N"]), separable_fraction_theory(int(p["N"]), P / int(p["N"])), "k-", lw=1,
                label=f"Cover C(P, N)/2^P, N = {p['N']}")
    else:
        ax.plot(alpha, r["separable_fraction_theory"], "k-", drawstyle="steps-mid", lw=1, label="N → ∞ step")
    name = "Krauth–Mézard α_c" if ising else f"Gardner α_c(κ = {float(p['kappa']):g})"
    ax.axvline(float(r["alpha_c_theory"]), color="C3", ls="--", lw=1,
               label=f"{name} = {float(r['alpha_c_theory']):.4g}")
    _simulated(ax, run, "separable_fraction", "LP" if not ising else "exact enumeration")
    ax.set(xlabel="α = P/N", ylabel="fraction of separable pattern sets", ylim=(-0.03, 1.03))
    ax.legend(fontsize=8)
    _title(run, fig, f", weights {p['weights']}, κ = {p['kappa']}")
    fig.tight_layout()
    return fig


def hopfield_figure(run: Run):
    r, p = run.results, run.parameters
    T = float(p["T"])
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    alpha = r["alpha"]
    fine = np.linspace(alpha.min(), alpha.max(), 300)
    m = [hopfield_theory.retrieval_overlap(a, T) for a in fine]
    ax.plot(fine, m, "k-", lw=1, label=f"AGS retrieval state, T = {T:g}")
    ac, mc = float(r["alpha_c_theory"]), float(r["overlap_c_theory"])
    ax.axvline(ac, color="C3", ls="--", lw=1, label=f"AGS α_c = {ac:.4f} (T = 0)")
    ax.plot([ac], [mc], "C3s", ms=5, label=f"m_c = {mc:.4f}")
    _simulated(ax, run, "overlap", f"final overlap, cue noise {float(p['noise']):g}")
    ax.set(xlabel="α = P/N", ylabel="Mattis overlap m with the recalled pattern", ylim=(-0.03, 1.03))
    ax.legend(fontsize=8, loc="lower left")
    _title(run, fig, f", T = {T:g}")
    fig.tight_layout()
    return fig


def teacher_student_figure(run: Run):
    r, p = run.results, run.parameters
    ising = p["weights"] == "ising"
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    alpha = r["alpha"]
    fine = np.linspace(alpha.min(), alpha.max(), 200 if float(p["T"]) == 0.0 else 25)
    if ising:
        from statmech_nn.learning.ising_perceptron import ising_gibbs_error_theory
        ax.plot(fine, ising_gibbs_error_theory(fine), "k-", lw=1, label="RS Gibbs, ±1 weights")
        at = float(r["alpha_transition_theory"])
        ax.axvline(at, color="C3", ls="--", lw=1, label=f"first-order transition α = {at:.4f}")
        _simulated(ax, run, "generalization_error", "exact version-space average")
        twin = ax.twinx()
        twin.errorbar(alpha, r["unique_fraction"], yerr=r["unique_fraction_error"], fmt="s", ms=3, color="C2",
                      capsize=2)
        twin.set_ylabel("fraction of trials: teacher is the only solution", color="C2")
        twin.set_ylim(-0.03, 1.03)
    else:
        T = float(p["T"])
        for rule, color in (("gibbs", "C0"), ("bayes", "C1"), ("hebb", "C2")):
            if T > 0.0 and rule == "bayes":
                continue
            ls = "-" if rule == p["rule"] else ":"
            ax.plot(fine, learning_curve_theory(fine, rule, None, T if rule == "gibbs" else 0.0),
                    ls, color=color, lw=1, label=f"RS {rule}" + (f", T = {T:g}" if rule == "gibbs" and T else ""))
        if p["rule"] == "bayes":
            ax.plot(alpha, r["generalization_error_theory"], "--", color="C1", lw=1,
                    label=f"centroid of {p['students']} Gibbs students")
        _simulated(ax, run, "generalization_error", f"simulation ({p['rule']})",
                   {"gibbs": "C0", "bayes": "C1", "hebb": "C2"}[p["rule"]])
    ax.set(xlabel="α = P/N", ylabel="generalization error ε", ylim=(0, 0.52))
    ax.legend(fontsize=8)
    _title(run, fig, f", weights {p['weights']}, rule {p['rule']}")
    fig.tight_layout()
    return fig


def _point_curves(sweep, axis: str, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(axis values, α, values (len(axis), len(α))) read from the point runs of a sweep over one ``axis``."""
    if list(sweep.axes) != [axis]:
        raise FormatError(f"{sweep.path}: this figure needs a {sweep.study} sweep over '{axis}' alone")
    values = sweep.axes[axis]
    alpha = np.asarray(sweep.parameters["alpha"], dtype=float)
    grid = np.full((len(values), len(alpha)), np.nan)
    for k in range(len(values)):
        if sweep.status.ravel()[k] == 1:
            grid[k] = sweep.point(k).results[name]
    return values, alpha, grid


def hopfield_sweep_figure(sweep):
    """A hopfield sweep over T: the (α, T) phase diagram; over noise: basins of attraction (module docstring)."""
    if "noise" in sweep.axes:
        return _basin_figure(sweep)
    T, alpha, m = _point_curves(sweep, "T", "overlap")
    fig, (ax, ax_c) = plt.subplots(1, 2, figsize=(12, 4.4))
    mesh = ax.pcolormesh(alpha, T, m, shading="nearest", cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(mesh, ax=ax, label="final Mattis overlap m")
    a_line = np.linspace(0.0, max(alpha.max(), 0.15), 200)
    ax.plot(a_line, hopfield_theory.spin_glass_temperature(a_line), "w-", lw=1.2, label="T_g = 1 + √α")
    t_line = np.linspace(hopfield_theory.T_MIN_SPINODAL, hopfield_theory.T_MAX_SPINODAL, 40)
    a_m = hopfield_theory.retrieval_spinodal(t_line)
    ac = hopfield_theory.ags_critical()[0]
    # both lines end at (α, T) = (0, 1), where the retrieval state is born
    ax.plot(np.r_[ac, a_m, 0.0], np.r_[0.0, t_line, 1.0], "r-", lw=1.4, label="T_M: retrieval states exist (spinodal)")
    t_c = np.linspace(0.0, hopfield_theory.T_MAX_SPINODAL, 9)
    a_c = np.array([_safe_global_load(t) for t in t_c])
    ax.plot(np.r_[a_c, 0.0], np.r_[t_c, 1.0], "r--", lw=1.2, label="T_c: retrieval states are global minima")
    ax.set(xlabel="α = P/N", ylabel="T", xlim=(alpha.min(), alpha.max()), ylim=(T.min(), T.max()),
           title=f"Hopfield phase diagram, N = {sweep.parameters['N']}")
    ax.legend(fontsize=7, loc="upper right")
    for k in range(len(T)):
        ax_c.plot(alpha, m[k], "o-", ms=2.5, lw=0.8, color=plt.cm.viridis(k / max(len(T) - 1, 1)),
                  label=f"T = {T[k]:.3g}")
    ax_c.set(xlabel="α", ylabel="m", title="overlap per temperature")
    ax_c.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return fig


def _safe_global_load(T: float) -> float:
    try:
        return hopfield_theory.global_retrieval_load(T)
    except (ValueError, RuntimeError):  # no sign change: the line ends
        return np.nan


def basin_radius(noise: np.ndarray, m: np.ndarray, level: float = BASIN_LEVEL) -> np.ndarray:
    """Per load (columns of ``m`` (noise, α), noise increasing): the largest cue noise such that every noise up to
    it is recalled with mean overlap ≥ ``level`` (0 if even the exact pattern is not)."""
    radius = np.zeros(m.shape[1])
    for i in range(m.shape[1]):
        for j, d in enumerate(noise):
            if not m[j, i] >= level:
                break
            radius[i] = d
    return radius


def _basin_figure(sweep):
    noise, alpha, m = _point_curves(sweep, "noise", "overlap")
    fig, (ax, ax_r) = plt.subplots(1, 2, figsize=(12, 4.4))
    mesh = ax.pcolormesh(alpha, noise, m, shading="nearest", cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(mesh, ax=ax, label="final Mattis overlap m")
    ax.set(xlabel="α = P/N", ylabel="cue noise (fraction of spins flipped)",
           title=f"recall from a noisy cue, N = {sweep.parameters['N']}, T = {sweep.parameters['T']}")
    ax_r.plot(alpha, basin_radius(noise, m), "o-", ms=3)
    ax_r.axvline(hopfield_theory.ags_critical()[0], color="C3", ls="--", lw=1, label="AGS α_c")
    ax_r.set(xlabel="α", ylabel=f"basin radius (largest noise with m ≥ {BASIN_LEVEL})", ylim=(0, noise.max()))
    ax_r.legend(fontsize=8)
    fig.tight_layout()
    return fig


def teacher_student_sweep_figure(sweep):
    """ε(α) for each training temperature T of a teacher-student sweep over T, over the RS Gibbs theory."""
    T, alpha, eps = _point_curves(sweep, "T", "generalization_error")
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    fine = np.linspace(alpha.min(), alpha.max(), 25)  # each finite-T point is a continuation from T = 0
    for k, t in enumerate(T):
        color = plt.cm.plasma(k / max(len(T) - 1, 1) * 0.85)
        ax.plot(fine, learning_curve_theory(fine, "gibbs", None, float(t)), "-", color=color,
                lw=1)
        ax.plot(alpha, eps[k], "o", ms=3.5, color=color, label=f"T = {t:.3g}")
    ax.set(xlabel="α = P/N", ylabel="Gibbs generalization error ε", ylim=(0, 0.52),
           title=f"training temperature: simulation (points) and RS theory (lines), N = {sweep.parameters['N']}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
