"""Estimates and figures for the ``signal-prop`` study (Poole et al. 2016; Schoenholz et al. 2017).

* :func:`analyze` — theory numbers of a run and its last layer's simulated q, c with standard errors over networks.
* :func:`run_figure` — q^l and c^l of one run: simulation (mean ± s.e.m.) over the theory curves.
* :func:`poole_fig1` — the q-map and the c-map with their fixed points for σ_w ∈ {1.3, 2.5, 4.0}, σ_b = 0.3, and
  q^l, c^l from simulated networks over the theory (Poole et al., Fig. 1 and Fig. 2 A–B).
* :func:`poole_fig2` — χ_1 and c* over σ_w ∈ [1, 5] × σ_b ∈ [0, 4] (41 × 41) with the χ_1 = 1 line (Poole et al.,
  Fig. 2 C–D).
* :func:`schoenholz_xi` — ξ_c and ξ_q against σ_w² at σ_b² = 0.05, diverging at σ_w²,c (Schoenholz et al.).
* :func:`trainability_figure` — training accuracy over depth × σ_w² with 6 ξ_c (Schoenholz et al.).
* :func:`finite_width_figure` — a ``--finite-width 1`` run: residuals per width and layer with the 1/N theory, and
  the last layer's residuals against 1/N with the predicted and fitted slopes.
* :func:`residual_phase_figure` — the sweep figure of a resnet theory sweep over σ_w² × σ_b² (c^L, q^L/L, gradient
  ratio; examples/resnet_phase_diagram.toml).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.io.runfile import Run, read_run
from statmech_nn.meanfield import c_map, fixed_point, phase_diagram, q_map
from statmech_nn.summaries.signal_prop import THEORY, analyze, simulated  # noqa: F401 - re-exported

from .plots import plt

POOLE_SIGMA_W = (1.3, 2.5, 4.0)
POOLE_SIGMA_B = 0.3


def _layers_panel(ax, run: Run, name: str, color="C0", label=None) -> None:
    theory = run.results[f"{name}_theory"]
    ax.plot(np.arange(len(theory)), theory, "-", color=color, lw=1.2, label=label)
    if simulated(run):
        series = run.observables[name]
        sem = run[f"{name}_std"] / math.sqrt(int(run.parameters["networks"]))
        ax.errorbar(series.step, series.value, yerr=sem, fmt="o", ms=3, color=color, mfc="none")


def run_figure(run: Run):
    """q^l and c^l against layer l: theory (lines, fixed points dashed) and simulation (points ± s.e.m.);
    finite-width runs: :func:`finite_width_figure`."""
    if int(run.parameters.get("finite_width", 0)):
        return finite_width_figure(run)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, name in zip(axes, ("q", "c")):
        _layers_panel(ax, run, name, label="mean-field theory")
        star, symbol = float(run.results.get(f"{name}_star", math.nan)), f"{name}*"
        if name == "c" and "c_inf" in run.results:
            star, symbol = float(run.results["c_inf"]), "c_∞"
        if math.isfinite(star):
            ax.axhline(star, color="k", ls="--", lw=0.8, label=f"{symbol} = {star:.4g}")
        ax.set_xlabel("layer l")
        ax.set_ylabel(f"{name}^l")
        ax.legend(fontsize=8)
    p = run.parameters
    if p.get("architecture", "plain") == "resnet":
        axes[0].set_yscale("log")
        axes[1].set_xscale("symlog", linthresh=1.0)
        axes[1].set_xlim(0, len(run.results["c_theory"]))
    fig.suptitle(f"signal-prop ({p.get('architecture', 'plain')}"
                 f"{' ' + p['residual'] if p.get('architecture') == 'resnet' else ''}): "
                 f"φ = {p['phi']}, σ_w² = {p['sigma_w2']}, σ_b² = {p['sigma_b2']}, "
                 f"N = {p['width']}, {p['networks']} {p['weights']} networks", fontsize=9)
    fig.tight_layout()
    return fig


def _matching(runs, sigma_w2: float, sigma_b2: float) -> list[Run]:
    return [r for r in runs if math.isclose(r.parameters["sigma_w2"], sigma_w2)
            and math.isclose(r.parameters["sigma_b2"], sigma_b2)]


def poole_fig1(runs=(), phi: str = "tanh"):
    """Poole et al. 2016, Fig. 1 and Fig. 2 A–B, for σ_w ∈ {1.3, 2.5, 4.0} at σ_b = 0.3:
    (a) the q-map V(q) with the diagonal and the fixed points q*; (b) q^l against l;
    (c) the c-map c^{l+1} = C(q*, c^l) with the diagonal and the stable fixed points c* (c = 1 is always fixed);
    (d) c^l against l. In (b) and (d): theory from each run's q^0, c^0 (lines) and its simulated networks
    (points ± s.e.m.). ``runs``: signal-prop runs (or paths) at those (σ_w², σ_b²)."""
    runs = [r if isinstance(r, Run) else read_run(r) for r in runs]
    fig, ((ax_map, ax_it), (ax_cmap, ax_c)) = plt.subplots(2, 2, figsize=(10, 8), layout="constrained")
    q = np.linspace(0.0, 15.0, 301)
    c = np.linspace(-1.0, 1.0, 201)
    for ax, x in ((ax_map, q), (ax_cmap, c)):
        ax.plot(x, x, color="0.5", lw=0.8, ls=":", label="diagonal")
    sb2 = POOLE_SIGMA_B**2
    for k, sw in enumerate(POOLE_SIGMA_W):
        color = f"C{k}"
        fp = fixed_point(phi, sw**2, sb2)
        ax_map.plot(q, q_map(phi, sw**2, sb2, q), color=color, label=f"σ_w = {sw}")
        ax_map.plot([fp.q_star], [fp.q_star], "o", color=color)
        ax_cmap.plot(c, c_map(phi, sw**2, sb2, fp.q_star, c), color=color,
                     label=f"σ_w = {sw}: c* = {fp.c_star:.3g}, χ_1 = {fp.chi1:.3g}")
        ax_cmap.plot([fp.c_star], [fp.c_star], "o", color=color)
        for run in _matching(runs, sw**2, sb2):
            _layers_panel(ax_it, run, "q", color=color)
            _layers_panel(ax_c, run, "c", color=color)
        ax_it.plot([], [], color=color, label=f"σ_w = {sw}: q* = {fp.q_star:.3g}")
        ax_c.axhline(fp.c_star, color=color, ls="--", lw=0.8, label=f"σ_w = {sw}: c* = {fp.c_star:.3g}")
    ax_map.set(xlabel="$q^{l-1}$", ylabel="$q^l = V(q^{l-1})$", xlim=(0, 15), ylim=(0, 15),
               title=f"(a) q-map, σ_b = {POOLE_SIGMA_B} (dots: q*)")
    ax_cmap.set(xlabel="$c^{l-1}$", ylabel="$c^l = C(q^*, c^{l-1})$", xlim=(-1, 1), ylim=(-1, 1.02),
                title="(c) c-map at $q^*$ (dots: stable $c^*$)")
    widths = sorted({int(r.parameters["width"]) for r in runs})
    sims = f"networks of width N = {', '.join(map(str, widths))} (points)" if widths else "no simulations given"
    ax_it.set(xlabel="layer l", ylabel="$q^l$", title=f"(b) $q^l$: theory (lines),\n{sims}")
    ax_c.set(xlabel="layer l", ylabel="$c^l$", title=f"(d) $c^l$: theory (lines), dashed: $c^*$;\n{sims}")
    for ax in (ax_map, ax_it, ax_cmap, ax_c):
        ax.legend(fontsize=7)
    return fig


def poole_fig2(phi: str = "tanh", n: int = 41):
    """Poole et al. 2016, Fig. 2 C–D, on the n × n grid σ_w ∈ [1, 5], σ_b ∈ [0, 4]: (a) χ_1 with the χ_1 = 1
    contour of the grid and the solved critical line σ_w,c(σ_b); (b) the stable correlation fixed point c*
    (1 in the ordered phase, below 1 in the chaotic one) with the same line."""
    from matplotlib.colors import TwoSlopeNorm

    sw, sb = np.linspace(1.0, 5.0, n), np.linspace(0.0, 4.0, n)
    pd = phase_diagram(phi, sw**2, sb**2)
    fig, (ax, ax_c) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
    chi1 = pd["chi1"].T  # rows σ_b, columns σ_w
    mesh = ax.pcolormesh(sw, sb, chi1, cmap="RdBu_r", shading="nearest",
                         norm=TwoSlopeNorm(vcenter=1.0, vmin=min(chi1.min(), 0.99), vmax=max(chi1.max(), 1.01)))
    fig.colorbar(mesh, ax=ax, label="χ_1")
    ax.contour(sw, sb, chi1, levels=[1.0], colors="k", linewidths=1.5)
    mesh = ax_c.pcolormesh(sw, sb, pd["c_star"].T, cmap="viridis", shading="nearest")
    fig.colorbar(mesh, ax=ax_c, label="c*")
    for a, color in ((ax, "w"), (ax_c, "k")):
        a.plot(np.sqrt(pd["sigma_w2_critical"]), sb, "--", color=color, lw=1.0, label="χ_1 = 1 (solved)")
        a.set(xlabel="σ_w", ylabel="σ_b")
        a.legend(loc="upper left", fontsize=8)
    ax.set_title(f"(a) χ_1 for φ = {phi}: ordered (blue) | chaotic (red)", fontsize=10)
    ax_c.set_title(f"(b) correlation fixed point c* for φ = {phi}", fontsize=10)
    return fig


def schoenholz_xi(phi: str = "tanh", sigma_b2: float = 0.05, sigma_w2=None):
    """ξ_c and ξ_q against σ_w² (default 1..4) at ``sigma_b2``; ξ_c diverges at σ_w²,c."""
    sw2 = np.linspace(1.0, 4.0, 601) if sigma_w2 is None else np.asarray(sigma_w2, dtype=float)
    pd = phase_diagram(phi, sw2, [sigma_b2])
    crit = float(pd["sigma_w2_critical"][0])
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.semilogy(sw2, pd["xi_c"][:, 0], label="ξ_c")
    ax.semilogy(sw2, pd["xi_q"][:, 0], label="ξ_q")
    ax.axvline(crit, color="k", ls="--", lw=0.8, label=f"σ_w²,c = {crit:.4f}")
    ax.set(xlabel="σ_w²", ylabel="depth scale", title=f"φ = {phi}, σ_b² = {sigma_b2}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def trainability_figure(result):
    """Trainability over σ_w² × depth with 6 ξ_c(σ_w²) at the same σ_b² (Schoenholz et al. 2017, Sec. 6).
    ``result`` is a ``trainability`` run — the colour is then the fraction of its networks that reached the target
    accuracy (blank: not run, every network had failed at shallower depths), with the deepest trained depth per
    σ_w² (mean ± s.e. over networks) and the a ξ_c the data support — or a dict with ``sigma_w2``, ``depths``,
    ``accuracy`` (σ_w², depth), ``sigma_b2``, ``width`` and ``steps`` (colour: accuracy)."""
    from statmech_nn.summaries.trainability import analyze as trainability_summaries
    from statmech_nn.summaries.trainability import grid, label

    if isinstance(result, Run):
        p = result.parameters
        sw2, depths, trained = grid(result)
        steps = result.observables["steps"]
        ran = np.zeros(trained.shape[:2], dtype=bool).reshape(-1)
        ran[steps.step] = np.any(steps.value > 0, axis=1)
        colour_value = np.where(ran.reshape(trained.shape[:2]), trained.mean(axis=2), np.nan)
        sigma_b2, width = float(p["sigma_b2"]), int(p["width"])
        colour = (f"fraction of {int(p['networks'])} networks reaching {float(p['target']):g} training accuracy\n"
                  f"within {int(p['steps'])} + {int(p['steps_per_layer'])}·L SGD steps")
        vmin, est = 0.0, trainability_summaries(result)
    else:
        sw2, depths, colour_value = result["sigma_w2"], result["depths"], result["accuracy"]
        sigma_b2, width = float(result["sigma_b2"]), int(result["width"])
        colour, vmin, est = f"training accuracy after {int(result['steps'])} SGD steps", 0.5, None
    fine = np.linspace(sw2.min(), sw2.max(), 400)
    xi_c = phase_diagram("tanh", fine, [sigma_b2], critical_line=False)["xi_c"][:, 0]
    fig, ax = plt.subplots(figsize=(6.6, 4.8), layout="constrained")
    if est is None:
        mesh = ax.pcolormesh(sw2, depths, np.ma.masked_invalid(colour_value).T, cmap="viridis", shading="nearest",
                             vmin=vmin, vmax=1.0)
    else:  # cells between midpoints: arithmetic in σ_w², geometric in depth (drawn on a log axis)
        mesh = ax.pcolormesh(_edges(sw2), np.exp(_edges(np.log(depths))), np.ma.masked_invalid(colour_value).T,
                             cmap="viridis", vmin=vmin, vmax=1.0)
        ax.set_yscale("log")
    fig.colorbar(mesh, ax=ax, label=colour)
    ax.plot(fine, 6 * xi_c, "w--", lw=1.5, label="6 ξ_c")
    if est is not None:
        deepest = [est[f"max_depth{label(v)}"] for v in sw2]
        ax.errorbar(sw2, [e.value for e in deepest], yerr=[0.0 if not np.isfinite(e.error) else e.error
                                                           for e in deepest],
                    fmt="o", color="w", mec="k", ms=5, capsize=2, label="deepest trained depth (mean ± s.e.)")
        if "depth_constant" in est and np.isfinite(est["depth_constant"].value):
            a = est["depth_constant"].value
            ax.plot(fine, a * xi_c, ":", color="orange", lw=1.5, label=f"{a:.2g} ξ_c (resolved σ_w²)")
    ax.set(xlabel="σ_w²", ylabel="depth L", title=f"tanh, σ_b² = {sigma_b2:g}, width {width}")
    ax.set_ylim(*((depths.min() - 1, depths.max() * 1.05) if est is None else
                  np.exp(_edges(np.log(depths))[[0, -1]])))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=7, facecolor="0.85")
    return fig


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted ``centres``: midpoints, the ends half a spacing out (one value: ± 0.5)."""
    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def finite_width_figure(run: Run):
    """A ``--finite-width`` run: (a) ĉ^l − c^l per width (points ± s.e.m.) with the predicted c_coef^l/N (lines);
    (b) the last layer's residuals of q and c against 1/N, the predicted slopes and the fit through zero."""
    from statmech_nn.summaries.signal_prop import bias_fit

    widths = np.atleast_1d(np.asarray(run.parameters["width"], dtype=int))
    n = int(run.parameters["networks"])
    fig, (ax_l, ax_n) = plt.subplots(1, 2, figsize=(10.5, 4))
    layers = run.observables["c"].step
    for k, width in enumerate(widths):
        resid = run["c"][:, k] - run.results["c_theory"][layers]
        ax_l.errorbar(layers, resid, yerr=run["c_std"][:, k] / math.sqrt(n), fmt="o", ms=3, color=f"C{k}",
                      mfc="none", label=f"N = {width}")
        ax_l.plot(layers, run.results["c_coef"][layers] / width, "-", color=f"C{k}", lw=1)
    ax_l.axhline(0, color="k", lw=0.6)
    ax_l.set(xlabel="layer l", ylabel="ĉ^l − c^l", title="simulation (points) and 1/N theory (lines)")
    ax_l.legend(fontsize=7)
    inv = 1.0 / widths
    line = np.linspace(0, inv.max() * 1.05, 20)
    for k, name in enumerate(("q", "c")):
        mean, sem = run[name][-1], run[f"{name}_std"][-1] / math.sqrt(n)
        resid = mean - run.results[f"{name}_theory"][-1]
        slope, error = bias_fit(resid, sem, widths)
        coef = float(run.results[f"{name}_coef"][-1])
        ax_n.errorbar(inv, resid, yerr=sem, fmt="o", color=f"C{k}", ms=4, label=f"{name}̂^L − {name}^L")
        ax_n.plot(line, coef * line, "-", color=f"C{k}", lw=1, label=f"theory slope {coef:.3g}")
        ax_n.plot(line, slope * line, ":", color=f"C{k}", lw=1, label=f"fit {slope:.3g} ± {error:.2g}")
    ax_n.axhline(0, color="k", lw=0.6)
    ax_n.set(xlabel="1/N", ylabel=f"residual at layer L = {int(layers[-1])}", title="bias against 1/N")
    ax_n.legend(fontsize=7)
    p = run.parameters
    fig.suptitle(f"finite width: φ = {p['phi']}, σ_w² = {p['sigma_w2']}, σ_b² = {p['sigma_b2']}, {n} networks "
                 "per width", fontsize=9)
    fig.tight_layout()
    return fig


def residual_phase_figure(sweep):
    """A theory sweep of ``signal-prop`` with ``architecture = resnet`` over σ_w² × σ_b²: c^L, q^L/L and
    log10 |δ^0|²/|δ^L|² at depth L (Yang & Schoenholz 2017's phase diagrams: no edge of chaos, smooth maps)."""
    from statmech_nn.errors import FormatError

    if sweep.study != "signal-prop" or sweep.parameters.get("architecture") != "resnet" \
            or not {"sigma_w2", "sigma_b2"} <= set(sweep.axes):
        raise FormatError(f"{sweep.path}: residual_phase_figure needs a resnet signal-prop sweep over sigma_w2 and "
                          "sigma_b2")
    names = list(sweep.axes)
    depth = int(sweep.parameters.get("depth", 30))

    def grid(name):
        values = sweep.results[name].mean.reshape(sweep.shape)
        return values if names.index("sigma_w2") < names.index("sigma_b2") else values.T

    sw, sb = sweep.axes["sigma_w2"], sweep.axes["sigma_b2"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    panels = ((grid("c_L_theory"), "c^L"), (grid("q_L_theory") / depth, "q^L / L"),
              (np.log10(grid("grad_ratio")), "log10 |δ^0|²/|δ^L|²"))
    for ax, (values, title) in zip(axes, panels):
        mesh = ax.pcolormesh(sw, sb, values.T, shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=title)
        ax.set(xlabel="σ_w²", ylabel="σ_b²", title=f"{title}, L = {depth}")
    if "c_inf" in sweep.results:
        ax = axes[0]
        ax.contour(sw, sb, grid("c_inf").T, levels=[0.1, 0.2, 0.3, 0.5], colors="w", linewidths=0.8)
        ax.plot([], [], color="w", label="c_∞ = 0.1, 0.2, 0.3, 0.5")
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(f"residual ({sweep.parameters.get('residual', 'reduced')}) {sweep.parameters.get('phi', 'tanh')} "
                 "networks", fontsize=9)
    fig.tight_layout()
    return fig


def depth_scales_figure(data: dict):
    """Schoenholz et al. 2017's depth scales (``data`` from the reproduce item): (a) the correlation difference D^l
    of two input pairs straddling c* against layer l, sampled networks (points ± s.e.m. over replicates) over the
    N = ∞ maps from the same inputs (lines); (b) ξ_c and ξ_q against σ_w²: closed forms −1/ln χ_c, −1/ln V'(q*)
    (lines), fits of the iterated maps (open markers), fits of sampled networks (filled, ± jackknife error), and
    σ_w²,c."""
    fig, (ax_l, ax_x) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    for k, panel in enumerate(data["panels"]):
        color = f"C{k}"
        ax_l.plot(np.arange(len(panel["theory"])), panel["theory"], "-", color=color, lw=1.0)
        ax_l.errorbar(panel["layers"], panel["value"], yerr=panel["error"], fmt="o", ms=3, mfc="none", color=color,
                      label=f"σ_w² = {panel['sigma_w2']:g}")
    ax_l.set(yscale="log", xlabel="layer l", ylabel="$D^l = c^l(c_{hi}) - c^l(c_{lo})$",
             title="(a) correlation perturbation: networks (points), maps (lines)")
    ax_l.legend(fontsize=7)
    crit = data["sigma_w2_critical"]
    for name, color in (("xi_c", "C0"), ("xi_q", "C1")):
        symbol = name.replace("xi_", "ξ_")
        ax_x.plot(data["sigma_w2"], data[name], "-", color=color, lw=1.2, label=f"{symbol} (theory)")
        ax_x.plot(data["map_sigma_w2"], data[f"map_{name}"], "s", color=color, mfc="none", ms=6,
                  label=f"{symbol} fitted to iterated maps")
        ax_x.errorbar(data["sim_sigma_w2"], data[f"sim_{name}"], yerr=data[f"sim_{name}_error"], fmt="o",
                      color=color, ms=4, capsize=2, label=f"{symbol} fitted to networks (window bias removed)")
    ax_x.axvline(crit, color="k", ls="--", lw=0.8, label=f"σ_w²,c = {crit:.4f}")
    ax_x.set(yscale="log", xlabel="σ_w²", ylabel="depth scale (layers)", ylim=(0.5, 500),
             title=f"(b) tanh, σ_b² = {data['sigma_b2']:g}")
    ax_x.legend(fontsize=7)
    return fig
