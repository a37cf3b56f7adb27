"""Figures of the renormalization-group studies (docs/rg.md); their estimates are
:mod:`statmech_nn.summaries.rg`.

* :func:`run_figure` — the summary figure of an rg-* run;
* :func:`receptive_fields_figure` — receptive fields W1, W1·W2, … of an rg-stack run;
* :func:`reconstructions_figure` — data and their reconstructions from each depth.
"""
from __future__ import annotations

import textwrap

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run

from .plots import _title, plt


def _complete(run: Run) -> None:
    if not run.results:
        raise FormatError(f"{run.path}: the '{run.study}' run has no results yet (status {run.status})")


# ---------------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------------
def _decimate_figure(run: Run):
    n = run.observables["K"].step
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    axes[0].plot(n, run["K"], "o-")
    axes[0].set(xlabel="decimation step n", ylabel="K_n", title="tanh K_{n+1} = tanh² K_n")
    axes[1].plot(n, run["correlation_length"] * 2.0 ** n, "o-", label="ξ_n 2ⁿ")
    axes[1].plot(n, run["correlation_length"], "s--", label="ξ_n (level-n spacing)")
    axes[1].set(xlabel="n", ylabel="correlation length", yscale="log")
    axes[1].legend(fontsize=8)
    axes[2].semilogy(n, np.maximum(np.abs(run["kl"]), 1e-18), "o-", label="|KL(p_RBM(h) ‖ chain K')|")
    axes[2].semilogy(n, np.maximum(run["free_energy_error"], 1e-18), "s--", label="max |ΔF(h)|")
    axes[2].set(xlabel="n", ylabel="enumeration check", ylim=(1e-18, 1e-10))
    axes[2].legend(fontsize=8)
    fig.suptitle(_title(run), fontsize=9)
    fig.tight_layout()
    return fig


LABELS = {"blockspin_": "majority-rule block spins", "reconstruction_": "RBM reconstruction"}


def _stack_figure(run: Run):
    _complete(run)
    r = run.results
    depth = len(r["block_fraction"])
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    step, layer = run.observables["layer"].step, run["layer"]
    for d in range(1, depth + 1):
        sel = layer == d
        axes[0, 0].plot(step[sel], run["reconstruction_error"][sel], "o-", ms=3, label=f"layer {d}")
        axes[0, 1].plot(step[sel], run["block_fraction"][sel], "o-", ms=3, label=f"depth {d}")
    axes[0, 0].set(xlabel="epoch (all layers)", ylabel="reconstruction error / unit")
    axes[0, 0].legend(fontsize=8)
    axes[0, 1].set(xlabel="epoch (all layers)", ylabel=f"f_k, k = {int(r['block_k'])}")
    axes[0, 1].legend(fontsize=8)
    x = np.arange(1, depth + 1)
    axes[0, 2].bar(x - 0.2, r["block_fraction"], 0.4, label="receptive fields")
    axes[0, 2].bar(x + 0.2, r["block_fraction_shuffled"], 0.4, label="shuffled control")
    ax2 = axes[0, 2].twinx()
    ax2.plot(x, r["block_size"], "ko-", label="effective block size")
    ax2.plot(x, r["block_size_shuffled"], "k^:", label="(shuffled)")
    ax2.set_ylabel("median effective block size (half of Σw²)")
    axes[0, 2].set(xlabel="depth", ylabel=f"best {int(r['block_k'])}×{int(r['block_k'])} block share of |w|")
    axes[0, 2].legend(fontsize=7, loc="upper left")
    ax2.legend(fontsize=7, loc="upper right")
    for ax, name in ((axes[1, 0], "energy"), (axes[1, 1], "abs_magnetization")):
        ax.axhline(r["data_" + name], color="k", label="data")
        ax.axhspan(r["data_" + name] - r["data_" + name + "_error"], r["data_" + name] + r["data_" + name + "_error"],
                   color="k", alpha=0.2)
        for prefix, fmt in (("blockspin_", "s-"), ("reconstruction_", "o-")):
            ax.errorbar(x, r[prefix + name], r[prefix + name + "_error"], fmt=fmt, ms=4, capsize=2,
                        label=LABELS[prefix])
        ax.axhline(r["quenched_" + name], color="r", ls=":",
                   label=f"{int(r['quenched_sweeps'])} Metropolis sweeps from random (control)")
        ax.set(xlabel="depth", ylabel=name.replace("abs_", "|m| ").replace("_", " "))
        ax.legend(fontsize=7)
    ax = axes[1, 2]
    ax.errorbar(np.arange(len(r["data_correlation"])), r["data_correlation"], r["data_correlation_error"], fmt="k-",
                label="data G(r)")
    for d in range(depth):
        g = r["reconstruction_correlation"][d]
        ax.plot(np.arange(len(g)), g, "o--", ms=3, color=f"C{d}", label=f"reconstruction, depth {d + 1}")
        gb = r["blockspin_correlation"][d]
        ok = np.isfinite(gb)
        if ok.any():
            b = np.sqrt(r["layer_sizes"][0] / r["layer_sizes"][d + 1])
            ax.plot(b * np.arange(ok.sum()), gb[ok], "s:", ms=3, color=f"C{d}",
                    label=f"block spins b={b:g} (r in fine units)")
    ax.set(xlabel="r (lattice spacings)", ylabel="G(r)", ylim=(0, 1.05))
    ax.legend(fontsize=6)
    fig.suptitle(_title(run), fontsize=9)
    fig.tight_layout()
    return fig


def _flow_figure(run: Run):
    _complete(run)
    r = run.results
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    T = r["temperatures"]
    axes[0].plot(T, r["reference_energy"], "k.-", label="e(T), sampler")
    axes[0].plot(T, r["reference_abs_magnetization"], "b.-", label="|m|(T), sampler")
    axes[0].axvline(r["T_critical"], color="gray", ls=":", label="T_c")
    axes[0].set(xlabel="T", title="reference curves (training data)")
    axes[0].legend(fontsize=8)
    step = run.observables["T_energy"].step
    for i, T0 in enumerate(r["flow_starts"]):
        axes[1].plot(step, run["T_energy"][:, i], "-", color=f"C{i}", label=f"start T = {T0:g}")
        axes[2].plot(step, run["T_correlation"][:, i], "-", color=f"C{i}", label=f"start T = {T0:g}")
    for ax, what in ((axes[1], "energy"), (axes[2], "correlation function G(r)")):
        ax.axhline(r["T_critical"], color="gray", ls=":", label="T_c")
        ax.set(xlabel="flow iteration v → h → v", ylabel="matched T", title=f"temperature from the {what}")
    axes[1].legend(fontsize=7)
    fig.suptitle(_title(run), fontsize=9)
    fig.tight_layout()
    return fig


_FIGURES = {"rg-decimate-1d": _decimate_figure, "rg-stack": _stack_figure, "rg-flow": _flow_figure}


def run_figure(run: Run):
    """The summary figure of an rg-* run."""
    return _FIGURES[run.study](run)


def receptive_fields_figure(run: Run, n_units: int = 8, seed: int = 0):
    """Receptive fields W1, W1·W2, W1·W2·W3, … of an rg-stack run as L×L images: one row per depth, a random
    sample of ``n_units`` units of that depth (not the most local ones: the sample shows how typical locality is),
    each titled with its block fraction f_k; colour scale symmetric per image."""
    from statmech_nn.rg.locality import block_fraction, receptive_fields

    if run.study != "rg-stack":
        raise FormatError(f"{run.path}: receptive fields need an 'rg-stack' run, not '{run.study}'")
    _complete(run)
    r = run.results
    L, k = int(run.parameters["L"]), int(r["block_k"])
    weights = [r[f"weights_{d}"] for d in range(1, len(r["layer_sizes"]))]
    fields = receptive_fields(weights)
    n_cols = min(n_units, min(f.shape[1] for f in fields))
    fig, axes = plt.subplots(len(fields), n_cols, figsize=(1.3 * n_cols, 1.45 * len(fields)), squeeze=False)
    names = ["W1"] + ["W1·" + "·".join(f"W{j}" for j in range(2, d + 2)) for d in range(1, len(fields))]
    for d, f in enumerate(fields):
        fractions = block_fraction(f, L, k)
        sample = np.sort(np.random.default_rng(seed).choice(f.shape[1], n_cols, replace=False))
        for c, unit in enumerate(sample):
            img = f[:, unit].reshape(L, L)
            lim = np.abs(img).max() or 1.0
            ax = axes[d, c]
            ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_title(f"f = {fractions[unit]:.2f}", fontsize=6)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[d, 0].set_ylabel(names[d], fontsize=8)
    title = (f"receptive fields (random sample of units per depth; f = weight fraction in the best {k}×{k} "
             f"block); {_title(run)}")
    fig.suptitle(textwrap.fill(title, 14 * n_cols + 20), fontsize=7)
    fig.tight_layout()
    return fig


def reconstructions_figure(run: Run, n_examples: int = 6):
    """Data configurations (top row) and their RBM reconstructions from each depth (one row per depth) of an
    rg-stack run, beside the majority-rule block spins are compared in :func:`run_figure`."""
    if run.study != "rg-stack":
        raise FormatError(f"{run.path}: reconstructions need an 'rg-stack' run, not '{run.study}'")
    _complete(run)
    data, recon = run.results["data_examples"], run.results["reconstruction_examples"]
    n = min(n_examples, len(data))
    fig, axes = plt.subplots(1 + len(recon), n, figsize=(1.3 * n, 1.4 * (1 + len(recon))), squeeze=False)
    for c in range(n):
        for row, img in enumerate([data[c], *recon[:, c]]):
            axes[row, c].imshow(img, cmap="gray", vmin=-1, vmax=1)
            axes[row, c].set_xticks([])
            axes[row, c].set_yticks([])
    axes[0, 0].set_ylabel("data", fontsize=8)
    for d in range(len(recon)):
        axes[d + 1, 0].set_ylabel(f"from depth {d + 1}", fontsize=8)
    fig.suptitle("reconstructions (up d layers and down, sampling)", fontsize=8)
    fig.tight_layout()
    return fig
