"""Figures of the optimisation and generalisation studies (docs/optimization.md).

* :func:`deep_linear_figure` — mode strengths u_α(t)/s_α of every depth, simulation (points) over the exact
  dynamics (lines; Saxe et al. 2014, Fig. 3), half-times against theory, loss and balancedness drift.
* :func:`hessian_figure` — the top of each Hessian spectrum (H and its Gauss–Newton part), SLQ density beside
  the exact spectrum, outliers against classes and the near-zero bulk against parameters (Sagun et al. 2017).
* :func:`factorization_figure` — nuclear norm and effective rank of the gradient-descent solution against the
  initialisation scale, beside the minimum-nuclear-norm solution (Gunasekar et al. 2017).
* :func:`random_labels_figure` — memorisation curves, time to fit against label noise and complexity measures
  against the generalisation gap (Zhang et al. 2017; Neyshabur et al. 2017).
"""
from __future__ import annotations

import numpy as np

from statmech_nn.io.runfile import Run
from statmech_nn.nets.spectra import density, exact_density
from statmech_nn.summaries.optimization import check_run

from .plots import plt


def deep_linear_figure(run: Run):
    check_run(run, "deep-linear")
    r, p = run.results, run.parameters
    lr = float(p["lr"])
    series = run.observables["mode_strength"]
    t = series.step * lr
    depths, sv = r["column_depth"], r["column_singular_value"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    colors = {d: f"C{i}" for i, d in enumerate(dict.fromkeys(depths.tolist()))}
    styles = ["-", "--", ":", "-."]
    for j, (d, s) in enumerate(zip(depths, sv)):
        mode = j % len(np.unique(sv)) if len(sv) else 0
        ax.plot(t, r["mode_strength_theory"][:, j] / s, styles[mode % 4], color=colors[int(d)], lw=1.2,
                label=f"D = {d}" if mode == 0 else None)
        ax.plot(t, series.value[:, j] / s, "o", color=colors[int(d)], ms=2.5, mfc="none")
    ax.set(xlabel="t = lr × steps", ylabel="u_α / s_α", title="modes: GD (points), exact dynamics (lines)")
    ax.legend(fontsize=8)
    ax = axes[1]
    ok = np.isfinite(r["half_time"])
    for d in colors:
        sel = ok & (depths == d)
        ax.loglog(r["half_time_theory"][sel], r["half_time"][sel], "o", color=colors[d], label=f"D = {d}")
    if ok.any():
        lim = np.array([r["half_time_theory"][ok].min(), r["half_time_theory"][ok].max()])
        ax.plot(lim, lim, "k-", lw=0.8, label="theory")
    ax.set(xlabel="half-time, theory", ylabel="half-time, gradient descent",
           title=f"{int((~ok).sum())} of {ok.size} modes not at s/2 by t = {float(t[-1]):g}")
    ax.legend(fontsize=8)
    ax = axes[2]
    loss, drift = run.observables["loss"], run.observables["balance_drift"]
    for i, d in enumerate(colors):
        ax.semilogy(loss.step * lr, loss.value[:, i], color=colors[d], label=f"loss, D = {d}")
        ax.semilogy(drift.step * lr, np.where(drift.value[:, i] > 0, drift.value[:, i], np.nan), ":", color=colors[d],
                    label=f"balancedness drift, D = {d}")
    ax.set(xlabel="t = lr × steps", title="loss and max_j |B_j(t) − B_j(0)|_F")
    ax.legend(fontsize=7)
    fig.suptitle(f"deep-linear: s = {np.atleast_1d(p['singular_values']).tolist()}, ε = {p['init_scale']:g}, "
                 f"{p['init']} start, lr = {lr:g}", fontsize=9)
    fig.tight_layout()
    return fig


def hessian_figure(run: Run):
    check_run(run, "hessian")
    r = run.results
    n_cfg = len(r["classes"])
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.4))
    ax_top, ax_rho, ax_out, ax_bulk = axes
    for i in range(n_cfg):
        p = int(r["n_params"][i])
        label = f"k = {r['classes'][i]}, h = {r['hidden'][i]} (P = {p})"
        ev = r["eigenvalues"][i, :p]
        nodes, weights = r["slq_nodes"][i], r["slq_weights"][i]
        top = np.sort(nodes[weights > 0])[::-1] if not np.isfinite(ev).any() else np.sort(ev)[::-1]
        lim = max(float(top[0]), 1e-12)
        if np.isfinite(ev).any():
            ax_top.semilogy(np.arange(1, min(60, p) + 1), np.sort(ev)[::-1][:60], "o-", ms=3, color=f"C{i}",
                            label=label)
            gn = np.sort(r["gauss_newton_eigenvalues"][i, :p])[::-1][:60]
            ax_top.semilogy(np.arange(1, gn.size + 1), gn, "x", ms=4, color=f"C{i}")
        grid = np.linspace(-0.05 * lim, 1.05 * lim, 600)
        sigma = 0.01 * lim
        ax_rho.semilogy(grid, np.maximum(density(nodes, weights, grid, sigma), 1e-8), color=f"C{i}", label=label)
        if np.isfinite(ev).any():
            ax_rho.semilogy(grid, np.maximum(exact_density(ev, grid, sigma), 1e-8), "k:", lw=0.8)
    ax_top.set(xlabel="rank", ylabel="eigenvalue", title="top of the spectrum: H (o), Gauss–Newton G (x)")
    ax_top.legend(fontsize=7)
    ax_rho.set(xlabel="λ", ylabel="density", title="SLQ (colour) vs exact (dotted), σ = 1% of λ_max", ylim=(1e-6, None))
    ks = r["classes"]
    ok = r["n_outliers"] >= 0
    ax_out.plot(ks[ok], r["n_outliers"][ok], "o", ms=7, label="outliers (widest gap)")
    kk = np.linspace(ks.min(), ks.max(), 50)
    ax_out.plot(kk, kk, "k--", lw=0.8, label="k")
    ax_out.plot(kk, kk**2, "k:", lw=0.8, label="k²")
    ax_out.set(xlabel="classes k", ylabel="outliers", xscale="log", yscale="log", title="outliers vs classes")
    ax_out.legend(fontsize=8)
    frac = [np.mean(np.abs(ev[np.isfinite(ev)]) < 1e-3 * np.nanmax(ev)) if np.isfinite(ev).any() else np.nan
            for ev in r["eigenvalues"]]
    p = r["n_params"]
    ax_bulk.plot(p, np.array(frac) * p, "o", label="|λ| < 1e-3 λ_max")
    ax_bulk.plot(p, p - np.where(ok, r["n_outliers"], 0), "s", mfc="none", label="P − outliers")
    ax_bulk.set(xlabel="parameters P", ylabel="eigenvalues", title="bulk vs parameters")
    ax_bulk.legend(fontsize=8)
    prm = run.parameters
    fig.suptitle(f"hessian: {prm['task']}, {prm['loss']}, {prm['activation']}, {prm['epochs']} epochs, "
                 f"{prm['samples']} samples", fontsize=9)
    fig.tight_layout()
    return fig


def factorization_figure(run: Run):
    check_run(run, "factorization")
    r, prm = run.results, run.parameters
    scales, widths = r["init_scale"], r["width"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    nuc = run.observables["nuclear_norm"]
    for i, (a, d) in enumerate(zip(scales, widths)):
        ax.semilogy(nuc.step[1:], nuc.value[1:, i], color=f"C{i}", label=f"α = {a:g}, d = {d}")
    ax.axhline(float(r["min_nuclear_norm"]), color="k", ls="--", lw=0.8, label="min nuclear norm (ADMM)")
    ax.set(xscale="log", xlabel="step", ylabel="|X|_*", title="nuclear norm along gradient descent")
    ax.legend(fontsize=7)
    for ax, name, label in ((axes[1], "nuclear_norm", "|X|_* at the end"),
                            (axes[2], "effective_rank", "effective rank at the end")):
        for j, d in enumerate(np.unique(widths)):
            sel = widths == d
            ax.plot(scales[sel], r[name][sel], "o-", color=f"C{j}", label=f"d = {d}")
        ref = r["min_nuclear_norm"] if name == "nuclear_norm" else r["min_nuclear_rank"]
        ax.axhline(float(ref), color="k", ls="--", lw=0.8, label="min-nuclear-norm solution")
        ax.set(xscale="log", xlabel="initialisation scale α", ylabel=label,
               yscale="log" if name == "nuclear_norm" else "linear")
        ax.legend(fontsize=8)
    fig.suptitle(f"factorization: n = {prm['n']}, rank {prm['rank']}, {prm['observations']} {prm['measurements']} "
                 f"measurements, lr = {prm['lr']:g}, {prm['steps']} steps", fontsize=9)
    fig.tight_layout()
    return fig


def random_labels_figure(run: Run):
    check_run(run, "random-labels")
    r, prm = run.results, run.parameters
    noise = r["label_noise"]
    levels = np.unique(noise)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    ax = axes[0, 0]
    train, test = run.observables["train_accuracy"], run.observables["test_accuracy"]
    for j, p in enumerate(levels):
        for i in np.flatnonzero(noise == p):
            fitted = r["fit_epoch"][i]
            stop = np.searchsorted(train.step, fitted) + 1 if fitted > 0 else len(train.step)
            ax.plot(train.step[:stop], train.value[:stop, i], "-", color=f"C{j}",
                    label=f"p = {p:g}" if i == np.flatnonzero(noise == p)[0] else None)
            ax.plot(test.step[:stop], test.value[:stop, i], ":", color=f"C{j}")
    ax.set(xscale="log", xlabel="epoch", ylabel="accuracy", title="train (solid, own labels), test (dotted, clean)")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    fit = np.where(r["fit_epoch"] > 0, r["fit_epoch"], np.nan)
    ax.plot(noise, fit, "o")
    ax.set(xlabel="label noise p", ylabel="epochs to fit all training labels", yscale="log",
           title="time to memorise (nan: not fitted)")
    margin2 = np.maximum(r["margin"], 1e-12) ** 2
    panels = ((axes[0, 2], r["path_norm"], "ℓ2 path norm"),
              (axes[1, 0], r["spectral_product"] ** 2 / margin2, "Π|W|_2² / γ²"),
              (axes[1, 1], r["frobenius_product"] ** 2 / margin2, "Π|W|_F² / γ²"),
              (axes[1, 2], r["sharpness"], "sharpness λ_max(∇²L)"))
    for ax, values, label in panels:
        for j, p in enumerate(levels):
            sel = noise == p
            ax.plot(r["generalization_gap"][sel], values[sel], "o", color=f"C{j}", label=f"p = {p:g}")
        ax.set(xlabel="generalisation gap (train − test accuracy)", ylabel=label, yscale="log")
        ax.legend(fontsize=7)
    fig.suptitle(f"random-labels: {prm['task']}, {prm['samples']} samples, {prm['activation']} hidden "
                 f"{np.atleast_1d(prm['hidden']).tolist()}, SGD lr = {prm['lr']:g}", fontsize=9)
    fig.tight_layout()
    return fig
