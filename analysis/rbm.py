"""Figures of the RBM studies ``rbm-train``, ``rbm-logz`` and ``rbm-sample`` (docs/rbm.md); the numbers are
:mod:`statmech_nn.summaries.rbm`'s."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn import stats
from statmech_nn.io.runfile import Run

from .plots import _title, plt, suptitle


def _text(x) -> str:
    return x.decode() if isinstance(x, bytes) else str(x)


def _images(ax_row, configs: np.ndarray, units: str) -> None:
    """Configurations drawn as square images (or as rows of units when n_visible is not a square)."""
    n = configs.shape[-1]
    side = math.isqrt(n)
    for ax, v in zip(ax_row, configs):
        ax.imshow(v.reshape(side, side) if side * side == n else v[None, :], cmap="gray_r",
                  vmin=-1 if units == "spin" else 0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])


def _train_figure(run: Run):
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    steps = run.observables["log_likelihood"].step
    ll, err = run["log_likelihood"], run["log_likelihood_error"]
    method = _text(run.results.get("log_likelihood_method", b"?"))
    axes[0].plot(steps, ll, color="C0", label=f"⟨log p(v)⟩ ({method})")
    if err.any():
        axes[0].fill_between(steps, ll - err, ll + err, color="C0", alpha=0.3)
    if "log_likelihood_bound" in run.results:
        bound = float(run.results["log_likelihood_bound"])
        axes[0].axhline(bound, color="k", ls="--", lw=0.8, label=f"−H(data) = {bound:.3f}")
        axes[0].set_ylim(max(ll.min(), bound - 10) - 0.2, bound + 0.5)
    axes[0].set(xlabel="epoch", ylabel="mean log-likelihood (nats)")
    axes[0].legend(fontsize=8)
    axes[1].semilogy(steps, run["reconstruction_error"], color="C1")
    axes[1].set(xlabel="epoch", ylabel="reconstruction error")
    axes[2].plot(steps, run["flip_rate"], color="C2", label="flip rate (β = 1 chains)")
    if "swap_acceptance" in run.observables:
        acc = run["swap_acceptance"]
        for t in range(acc.shape[1]):
            axes[2].plot(steps, acc[:, t], lw=0.7, color=plt.cm.viridis(t / max(acc.shape[1] - 1, 1)),
                         label="swap acceptance" if t == 0 else None)
    axes[2].set(xlabel="epoch", ylabel="mixing diagnostics", ylim=(0, 1))
    axes[2].legend(fontsize=8)
    return fig


def _logz_figure(run: Run):
    r = run.results
    fig, ax = plt.subplots(figsize=(6.5, 4))
    text = [f"log Z = {stats.Estimate(float(r['log_z']), float(r['log_z_error']), math.nan, 0)} "
            f"({_text(r['method'])})"]
    if "log_weights" in r:
        lw, rw = r["log_weights"], r["reverse_log_weights"]
        bins = np.linspace(min(lw.min(), -rw.max()), max(lw.max(), -rw.min()), 40)
        ax.hist(lw, bins=bins, alpha=0.6, label="forward log w")
        ax.hist(-rw, bins=bins, alpha=0.6, label="−(reverse log w)")
        ax.set(xlabel="log importance weight", ylabel="chains")
        ax.legend(fontsize=8)
        text.append(f"reverse: {stats.Estimate(float(r['log_z_reverse']), float(r['log_z_reverse_error']), 0, 0)}"
                    f", ESS = {float(r['ess']):.1f} / {lw.size}")
    if "log_z_exact" in r:
        text.append(f"exact: {float(r['log_z_exact']):.6f}")
    ax.set_title("\n".join(text), fontsize=9)
    return fig


def _sample_figure(run: Run):
    has_images = "visible" in run.observables and len(run.observables["visible"])
    fig = plt.figure(figsize=(11, 5.5 if has_images else 3.6))
    grid = fig.add_gridspec(2 if has_images else 1, 8)
    ax = fig.add_subplot(grid[0, :6])
    series = run.observables["free_energy"]
    est = stats.mean(series.value.mean(axis=1))
    ax.plot(series.step, series.value.mean(axis=1), lw=0.5, label=f"chain mean of F(v): {est}, τ_int = {est.tau:.3g}")
    if "free_energy_exact" in run.results:
        ax.axhline(float(run.results["free_energy_exact"]), color="k", ls="--", lw=0.8, label="exact ⟨F(v)⟩")
    ax.set(xlabel="sweep", ylabel="F(v)")
    ax.legend(fontsize=8)
    ax_h = fig.add_subplot(grid[0, 6:])
    ax_h.hist(series.value[-1], bins=20, orientation="horizontal", color="C0", alpha=0.8)
    ax_h.set(xlabel="chains (last sweep)")
    if has_images:
        last = run["visible"][-1]
        _images([fig.add_subplot(grid[1, i]) for i in range(min(8, last.shape[0]))], last,
                _text(run.results.get("units", b"binary")))
    return fig


def run_figure(run: Run):
    """Training curves (rbm-train), AIS weight histograms (rbm-logz) or sampled F(v) and configurations
    (rbm-sample)."""
    fig = {"rbm-train": _train_figure, "rbm-logz": _logz_figure, "rbm-sample": _sample_figure}[run.study](run)
    suptitle(fig, _title(run), fontsize=8)
    fig.tight_layout()
    return fig
