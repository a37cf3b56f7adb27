"""Figures of the ``spinglass`` and ``loss-band`` studies (docs/spinglass.md).

* :func:`run_figure` — exact: the density of states per spin; pt: the overlap distribution P(q) at every ladder
  temperature below T = 1 (SK: broad below T_c = 1, Parisi), ⟨H⟩/N against T and the swap acceptance per pair;
  p-spin: the histogram of end-point energies beside the ABČ complexities Θ_{0,p}(u) and Θ_p(u) with −E_0, −E_∞.
* :func:`band_figure` — a sweep over N: the distribution of end-point energies per N (violins, and densities on
  the ABČ complexity) moving toward −E_∞, and its mean and spread against N.
* :func:`loss_band_figure` — Choromanska Fig. 1 style: histograms of the networks' test losses per width, next
  to the p-spin band for p = depth + 1.
"""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.spinglass import complexity, ground_energy, threshold_energy

from .plots import plt

SK_CRITICAL_T = 1.0


def _theory_axes(ax, p: int, u_low: float, u_high: float, indices=(0,)) -> None:
    """Θ_{k,p}(u) for ``indices`` and Θ_p(u) on ``ax``, −E_0 and −E_∞ marked, the band between them shaded."""
    u = np.linspace(u_low, u_high, 400)
    for k in indices:
        ax.plot(u, complexity(p, u, k), lw=1.2, label=f"Θ_{{{k},{p}}}(u): index {k}")
    ax.plot(u, complexity(p, u), "k--", lw=1, label=f"Θ_{p}(u): all critical points")
    ax.axhline(0.0, color="grey", lw=0.6)
    e0, einf = -ground_energy(p), -threshold_energy(p)
    ax.axvspan(e0, einf, color="C3", alpha=0.2, label=f"band [−E_0, −E_∞] = [{e0:.4f}, {einf:.4f}]")
    ax.set(xlabel="u = H/N", ylabel="complexity (1/N) log E Crt")


def _exact_figure(run: Run):
    r = run.results
    fig, ax = plt.subplots(figsize=(6, 4))
    n = int(r["n_spins"])
    ax.plot(r["dos_energy"], np.log(r["dos_count"]) / n, ".", ms=3)
    ax.axvline(float(r["ground_energy"]), color="C3", label=f"ground state {float(r['ground_energy']):.4f}")
    ax.axvline(float(r["energy_mean"]), color="C2", ls="--",
               label=f"⟨H⟩/N at T = {float(r['temperature']):g}: {float(r['energy_mean']):.4f}")
    ax.set(xlabel="E/N", ylabel="(1/N) log(number of states)",
           title=f"{run.parameters['model']}: density of states, N = {n} (exact)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def overlap_histograms(run: Run, t_max: float = SK_CRITICAL_T, bins: int | None = None):
    """[(T, bin centres, P(q) density)] from a pt run's overlap rows at every ladder temperature below ``t_max``
    (the lowest one when none is), symmetrised q → −q (H is even in s)."""
    t = np.asarray(run.results["temperatures"])
    q = run["overlap"]
    n = int(run.results["n_spins"])
    edges = np.linspace(-1.0 - 1.0 / n, 1.0 + 1.0 / n, (bins or n + 1) + 1)
    picks = [i for i in range(t.size) if t[i] < t_max] or [0]
    out = []
    for i in picks:
        sym = np.concatenate([q[:, i], -q[:, i]])
        density, _ = np.histogram(sym, edges, density=True)
        out.append((float(t[i]), 0.5 * (edges[1:] + edges[:-1]), density))
    return out


def _pt_figure(run: Run):
    r = run.results
    t = np.asarray(r["temperatures"])
    fig, (ax_q, ax_e, ax_s) = plt.subplots(1, 3, figsize=(15, 4.2))
    hist = overlap_histograms(run)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(hist)))
    for (temp, centres, density), c in zip(hist, colors):
        ax_q.plot(centres, density, color=c, lw=1.2, label=f"T = {temp:.3g}")
    ax_q.set(xlabel="q", ylabel="P(q)", title=f"overlap distribution below T = {SK_CRITICAL_T:g}, N = "
             f"{int(r['n_spins'])}")
    ax_q.legend(fontsize=7, ncol=2)
    e = run["energy"]
    mean = e.mean(axis=(0, 1))
    err = e.mean(axis=1).std(axis=0, ddof=1) / np.sqrt(max(len(e) - 1, 1))
    ax_e.errorbar(t, mean, yerr=err, marker="o", ms=3, lw=1)
    ax_e.set(xlabel="T", ylabel="⟨H⟩/N", xscale="log", title="energy per spin (naive error bars)")
    ax_s.plot(np.sqrt(t[1:] * t[:-1]), r["swap_acceptance"], "o-", ms=3)
    ax_s.set(xlabel="T (pair midpoint)", ylabel="swap acceptance", xscale="log", ylim=(0, 1.02),
             title=f"replica exchange; {int(np.sum(r['round_trips']))} round trips")
    fig.suptitle(f"{run.parameters['model']}: parallel tempering, {int(run.parameters['replicas'])} temperatures")
    fig.tight_layout()
    return fig


def _sphere_figure(run: Run):
    r = run.results
    if "minima_energy" not in r:
        raise FormatError(f"{run.path}: no end points yet")
    p = int(r["p"])
    e, index = np.asarray(r["minima_energy"]), np.asarray(r["hessian_index"])
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    low = min(e.min(), -ground_energy(p)) - 0.05
    high = max(e.max(), -threshold_energy(p)) + 0.05
    edges = np.linspace(low, high, 40)
    ax.hist([e[index == 0], e[index > 0]], edges, stacked=True, color=["C0", "C1"],
            label=["index 0 (minima)", "index > 0"])
    ax.set(xlabel="u = H/N at the end point", ylabel="end points",
           title=f"spherical {p}-spin, N = {int(r['n_spins'])}, {e.size} starts ({run.parameters['algorithm']})")
    twin = ax.twinx()
    _theory_axes(twin, p, low, high)
    twin.set_ylim(-0.05, 0.5 * np.log(p - 1) + 0.05)
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def run_figure(run: Run):
    """The figure of one ``spinglass`` run (module docstring)."""
    algorithm = str(run.parameters.get("algorithm"))
    if algorithm == "exact":
        return _exact_figure(run)
    if algorithm == "pt":
        return _pt_figure(run)
    return _sphere_figure(run)


def band_figure(sweep):
    """A ``spinglass`` p-spin sweep over N: end-point energies per N (from the points' runs) and their mean and
    spread against N, with −E_0 and −E_∞."""
    if sweep.study != "spinglass" or list(sweep.axes) != ["N"] or sweep.parameters.get("model") != "pspin":
        raise FormatError(f"{sweep.path}: band_figure needs a spinglass p-spin sweep over N alone")
    p = int(sweep.parameters.get("p", 3))
    sizes = sweep.axes["N"]
    fig, (ax_d, ax_h, ax_m) = plt.subplots(1, 3, figsize=(18, 4.6))
    e0, einf = -ground_energy(p), -threshold_energy(p)
    energies = []
    for i, n in enumerate(sizes):
        try:
            energies.append(np.asarray(sweep.point(i).results["minima_energy"]))
        except (OSError, KeyError, FormatError):
            energies.append(np.array([]))
    ok = [i for i, e in enumerate(energies) if e.size]
    if ok:
        parts = ax_d.violinplot([energies[i] for i in ok], positions=np.arange(len(ok)), showmeans=True)
        for body in parts["bodies"]:
            body.set_alpha(0.5)
    ax_d.set_xticks(np.arange(len(ok)), [str(sizes[i]) for i in ok])
    for ax in (ax_d, ax_m):
        ax.axhline(e0, color="C3", lw=1, label=f"−E_0 = {e0:.4f} (ground state)")
        ax.axhline(einf, color="C2", ls="--", lw=1, label=f"−E_∞ = {einf:.4f} (threshold)")
    ax_d.set(xlabel="N", ylabel="H/N at the end point", title=f"spherical {p}-spin: descent end points")
    _complexity_panel(ax_h, p, [(sizes[i], energies[i]) for i in ok])
    mean, sd = sweep.results.get("minima_energy"), sweep.results.get("minima_energy_sd")
    if mean is not None:
        ax_m.errorbar(sizes, mean.mean, yerr=mean.error, marker="o", label="mean end-point energy")
    if sd is not None:
        twin = ax_m.twinx()
        twin.errorbar(sizes, sd.mean, yerr=sd.error, marker="s", color="C1", label="spread (sd over starts)")
        twin.set_ylabel("sd of H/N over starts", color="C1")
    ax_m.set(xlabel="N", ylabel="H/N", xscale="log", title="the band narrows toward −E_∞ as N grows")
    ax_m.set_xticks(sizes, [str(n) for n in sizes])
    ax_m.xaxis.set_minor_formatter(plt.NullFormatter())
    ax_d.legend(fontsize=7)
    ax_m.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def _complexity_panel(ax, p: int, samples) -> None:
    """Density histograms of end-point energies, one per N, on ABČ's Θ_{0,p}(u) and Θ_p(u) (twin axis)."""
    values = np.concatenate([e for _, e in samples]) if samples else np.array([-threshold_energy(p)])
    low = min(values.min(), -ground_energy(p)) - 0.05
    high = max(values.max(), -threshold_energy(p)) + 0.05
    edges = np.linspace(low, high, 40)
    for n, e in samples:
        ax.hist(e, edges, density=True, histtype="step", lw=1.5, label=f"N = {n}")
    ax.set(xlabel="u = H/N at the end point", ylabel="density of end points",
           title="end points against the ABČ complexity")
    twin = ax.twinx()
    _theory_axes(twin, p, low, high)
    twin.set_ylim(-0.05, 0.5 * np.log(p - 1) + 0.05)
    handles, labels = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(handles + more[0], labels + more[1], fontsize=7, loc="upper right")


def loss_band_figure(run: Run):
    """Histograms of final test losses per width (Choromanska et al. 2015, Fig. 1) beside the p-spin band of the
    complexity (ABČ) for p = depth + 1."""
    r = run.results
    widths, losses = np.asarray(r["widths"]), np.asarray(r["test_loss"])
    fig, (ax_l, ax_p) = plt.subplots(1, 2, figsize=(13, 4.6))
    finite = losses[np.isfinite(losses)]
    if finite.size:
        edges = np.linspace(finite.min(), finite.max(), 50)
        for w, row in zip(widths, losses):
            x = row[np.isfinite(row)]
            if x.size:
                ax_l.hist(x, edges, histtype="stepfilled", alpha=0.45,
                          label=f"{w} hidden units: {x.mean():.3f} ± sd {x.std(ddof=1) if x.size > 1 else 0:.3f}")
    ax_l.set(xlabel=f"final test loss ({r['loss'].decode() if isinstance(r['loss'], bytes) else r['loss']})",
             ylabel="networks", title=f"{int(r['depth'])} hidden ReLU layer(s), {run.parameters['task']}, "
                                       f"{losses.shape[1]} starts per width")
    ax_l.legend(fontsize=7)
    p = int(r["p_spin_p"])
    _theory_axes(ax_p, p, -ground_energy(p) - 0.15, -threshold_energy(p) + 0.25, indices=(0, 1, 2))
    ax_p.set_ylim(-0.05, 0.5 * np.log(p - 1) + 0.05)
    ax_p.set_title(f"spherical {p}-spin, p = depth + 1: critical values in the band")
    ax_p.legend(fontsize=7)
    fig.tight_layout()
    return fig
