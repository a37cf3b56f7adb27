"""Figures of the ``isometry`` study (Pennington, Schoenholz & Ganguli 2017); its estimates are
:func:`statmech_nn.summaries.isometry.analyze`.

* :func:`run_figure` — the singular-value histogram of one run over the predicted density.
* :func:`pennington_figure` — singular-value densities for L ∈ {2, 8, 32, 128}: orthogonal vs Gaussian weights,
  tanh vs ReLU, sampled (histograms) over predicted (lines), with the linear-network reference.
* :func:`linear_reference` — that reference: the singular-value density of a critical linear network.
* :func:`variance_figure` — Var(λ) against depth: sampled points over the line L (μ₂/μ₁² − 1 − s₁).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.io.runfile import Run, read_run
from statmech_nn.meanfield import jjt_density
from statmech_nn.summaries.isometry import analyze, check

from .plots import plt


def singular_value_density(run: Run) -> tuple[np.ndarray, np.ndarray, float]:
    """(s, ρ_s(s), atom at 0) of the predicted singular values, ρ_s(s) = 2 s ρ(s²)."""
    x, rho = run.results["density_x"], run.results["density"]
    s = np.sqrt(x)
    return s, 2.0 * s * rho, float(run.results["density_atom_zero"])


def _histogram(ax, run: Run, s_max: float, color: str, label: str | None = None) -> None:
    """Histogram of all networks' singular values on [0, s_max], normalised by the total count (so that an atom at
    0, e.g. ReLU's dead units, is left out of the bars but not of the normalisation)."""
    sv = np.asarray(run.results["singular_values"], dtype=float).ravel()
    edges = np.linspace(0.0, s_max, 61)
    atom = float(run.results["density_atom_zero"])
    keep = sv > 1e-6 * sv.max() if atom > 0 else np.ones(sv.size, dtype=bool)
    counts, _ = np.histogram(sv[keep], edges)
    ax.stairs(counts / (sv.size * np.diff(edges)), edges, color=color, alpha=0.6, label=label)


def run_figure(run: Run):
    """Singular values of all networks (histogram) over the predicted density ρ_s(s) = 2 s ρ(s²)."""
    check(run)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    s, dens, atom = singular_value_density(run)
    s_max = float(np.quantile(run.results["singular_values"], 0.995)) * 1.1
    _histogram(ax, run, s_max, "C0", label="sampled networks")
    inside = s <= s_max
    ax.plot(s[inside], dens[inside], "k-", lw=1.2, label="free probability")
    est = analyze(run)
    p = run.parameters
    ax.set(xlabel="singular value s of J", ylabel="density",
           title=(f"{p['phi']}, {p['weights']}, L = {p['depth']}, N = {p['width']}, σ_w² = "
                  f"{float(run.results['sigma_w2']):.5g}, σ_b² = {p['sigma_b2']}"
                  + (f", atom {atom:g} at 0" if atom else "")))
    ax.legend(title=f"Var λ = {est['jjt_variance']} (pred. {float(run.results['jjt_variance_predicted']):.4g})",
              fontsize=8, title_fontsize=8)
    fig.tight_layout()
    return fig


def _load(runs) -> list[Run]:
    out = [r if isinstance(r, Run) else read_run(r) for r in runs]
    for r in out:
        check(r)
    return out


def linear_reference(depth: int, weights: str, s: np.ndarray) -> np.ndarray:
    """ρ_s(s) of a critical linear network (σ_w² = 1) of ``depth`` layers: for Gaussian weights the singular values
    of a product of Gaussian matrices (the Fuss–Catalan law), by free probability
    (:func:`statmech_nn.meanfield.jjt_density` with φ = linear); for orthogonal weights J is orthogonal (every
    s = 1) and there is no density, so NaN."""
    if weights == "orthogonal":
        return np.full(s.shape, np.nan)
    return 2.0 * s * jjt_density("linear", 1.0, 1.0, depth, weights, s**2).rho


def pennington_figure(runs):
    """One panel per (φ, weight law) among ``runs`` (isometry runs), one colour per depth: sampled singular values
    (histograms) and the predicted density (lines), on a common range [0, 3]; the linear-network reference of the
    same depth (Pennington et al.'s baseline) dashed for Gaussian weights and as the line s = 1 for orthogonal
    ones (a product of orthogonal matrices is orthogonal)."""
    runs = _load(runs)
    cases = sorted({(r.parameters["phi"], r.parameters["weights"]) for r in runs},
                   key=lambda c: (c[0] != "tanh", c[1] != "orthogonal", c))
    cols = min(2, len(cases))
    rows = math.ceil(len(cases) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols, 3.7 * rows), squeeze=False, layout="constrained")
    s_max = 3.0
    for ax, (phi, weights) in zip(axes.ravel(), cases):
        members = sorted((r for r in runs if (r.parameters["phi"], r.parameters["weights"]) == (phi, weights)),
                         key=lambda r: r.parameters["depth"])
        under = True
        for k, r in enumerate(members):
            color = f"C{k}"
            _histogram(ax, r, s_max, color)
            s, dens, _ = singular_value_density(r)
            inside = s <= s_max
            ax.plot(s[inside], dens[inside], "-", color=color, lw=1.2, label=f"L = {r.parameters['depth']}")
            if weights != "orthogonal":
                linear = linear_reference(int(r.parameters["depth"]), weights, s[inside])
                under &= np.abs(linear - dens[inside]).sum() <= 0.02 * np.abs(dens[inside]).sum()
                ax.plot(s[inside], linear, "--", color=color, lw=0.9, alpha=0.8)
        if weights == "orthogonal":
            ax.axvline(1.0, color="0.3", ls=":", lw=1.0, label="linear network: all s = 1")
        else:
            ax.plot([], [], "--", color="0.3", lw=0.9,
                    label="linear network, same L" + (" (within 2%: under the lines)" if under else ""))
        width = members[0].parameters["width"] if members else 0
        ax.set(xlabel="singular value s", ylabel="density", xlim=(0, s_max), ylim=(0, 4.0),
               title=f"{phi}, {weights} (N = {width})")
        ax.legend(fontsize=7)
    fig.suptitle("Jacobian singular values at criticality: sampled (bars) vs free probability (lines)", fontsize=9)
    return fig


def variance_figure(runs):
    """Var(λ) of JJᵀ against depth per (φ, weight law): sampled (points ± jackknife error over networks) and the
    prediction L (μ₂/μ₁² − 1 − s₁) χ₁^{2L} (lines), log-log. Each case has its own marker and dash pattern, the
    earlier cases drawn wider underneath, so coinciding predictions stay visible; the legend says which coincide."""
    runs = _load(runs)
    fig, ax = plt.subplots(figsize=(6.2, 4.6), layout="constrained")
    cases = sorted({(r.parameters["phi"], r.parameters["weights"]) for r in runs})
    curves = {}
    for case in cases:
        members = sorted((r for r in runs if (r.parameters["phi"], r.parameters["weights"]) == case),
                         key=lambda r: r.parameters["depth"])
        curves[case] = ([r.parameters["depth"] for r in members], [analyze(r)["jjt_variance"] for r in members],
                        np.array([float(r.results["jjt_variance_predicted"]) for r in members]))
    markers, dashes = "osD^v", ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))
    for k, case in enumerate(cases):
        depth, est, predicted = curves[case]
        same = [f"{c[0]}, {c[1]}" for c in cases[:k] if curves[c][0] == depth
                and np.allclose(curves[c][2], predicted, rtol=0.02)]
        width = 1.2 + 0.9 * (len(cases) - 1 - k)
        ax.plot(depth, predicted, linestyle=dashes[k % len(dashes)], color=f"C{k}", lw=width, zorder=2 + k,
                label=f"{case[0]}, {case[1]}" + (f" (line on top of {'; '.join(same)})" if same else ""))
        ax.errorbar(depth, [e.value for e in est], yerr=[e.error for e in est], fmt=markers[k % len(markers)],
                    color=f"C{k}", mfc="none" if k % 2 else f"C{k}", ms=6 - k % 2, capsize=2, zorder=10 + k)
    ax.set(xscale="log", yscale="log", xlabel="depth L", ylabel="Var(λ) of JJᵀ",
           title="sampled (markers) vs L(μ₂/μ₁² − 1 − s₁) (lines)")
    ax.legend(fontsize=7)
    return fig


def small_q_figure(runs):
    """Pennington et al. 2017's approach to isometry as q* → 0 on the critical line: (a) singular-value densities of
    orthogonal tanh networks at each q* (sampled bars, predicted lines) and the linear orthogonal network (s = 1);
    (b) Var λ of JJᵀ against q* for orthogonal and Gaussian tanh networks (points ± jackknife error; predictions
    L(μ₂/μ₁² − 1 − s₁) as open markers and, along the critical line, as thin lines), with the linear networks' values (Gaussian: L, the Fuss–Catalan variance;
    orthogonal: 0) as horizontal references."""
    from statmech_nn.meanfield import fixed_point, jjt_variance, sigma_w2_critical

    runs = _load(runs)
    tanh = sorted((r for r in runs if r.parameters["phi"] == "tanh"), key=lambda r: -float(r.results["q0"]))
    linear = {r.parameters["weights"]: r for r in runs if r.parameters["phi"] == "linear"}
    fig, (ax_s, ax_v) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    ortho = [r for r in tanh if r.parameters["weights"] == "orthogonal"]
    for k, r in enumerate(ortho):
        color = f"C{k}"
        _histogram(ax_s, r, 2.0, color)
        s, dens, _ = singular_value_density(r)
        inside = s <= 2.0
        ax_s.plot(s[inside], dens[inside], "-", color=color, lw=1.2, label=f"q* = {float(r.results['q0']):.3g}")
    ax_s.axvline(1.0, color="0.3", ls=":", lw=1.0, label="linear orthogonal: all s = 1")
    depth = int(tanh[0].parameters["depth"]) if tanh else 0
    ax_s.set(xlabel="singular value s", ylabel="density", xlim=(0, 2.0),
             title=f"(a) orthogonal tanh at criticality, L = {depth}")
    ax_s.legend(fontsize=7)
    sigma_b2 = np.logspace(-6.0, -0.7, 24)  # the critical line down to q* ≈ 0.009
    crit = [(sw2, fixed_point("tanh", sw2, sb2).q_star)
            for sw2, sb2 in ((sigma_w2_critical("tanh", sb2), sb2) for sb2 in sigma_b2)]
    for k, weights in enumerate(("orthogonal", "gaussian")):
        ax_v.plot([q for _, q in crit], [jjt_variance("tanh", sw2, q, depth, weights) for sw2, q in crit], "-",
                  color=f"C{k}", lw=0.8, alpha=0.7)
        members = [r for r in tanh if r.parameters["weights"] == weights]
        q = np.array([float(r.results["q0"]) for r in members])
        est = [analyze(r)["jjt_variance"] for r in members]
        ax_v.errorbar(q, [e.value for e in est], yerr=[e.error for e in est], fmt="o", color=f"C{k}", capsize=2,
                      label=f"tanh, {weights}: sampled")
        ax_v.plot(q, [float(r.results["jjt_variance_predicted"]) for r in members], "s", mfc="none", ms=8,
                  color=f"C{k}", label=f"tanh, {weights}: free probability")
        if weights in linear:
            e = analyze(linear[weights])["jjt_variance"]
            floor = e.value < 1e-4  # the exactly isometric linear orthogonal network: 0 up to rounding
            ax_v.axhline(max(e.value, 1e-4), color=f"C{k}", ls="--", lw=0.9,
                         label=f"linear, {weights}: sampled {e.value:.3g}" + (" (drawn at 1e-4)" if floor else ""))
    ax_v.set(xscale="log", yscale="log", xlim=(5e-3, 1.0), xlabel="q*", ylabel="Var(λ) of JJᵀ",
             title="(b) Var λ against q* along σ_w²,c (lines: free probability)")
    ax_v.legend(fontsize=7)
    return fig
