"""Estimates and figures for the ``rbm-random`` study (docs/rbm_random.md).

* :func:`analyze` — disorder averages [⟨·⟩] of |m_v|, |m_h|, |q|, q², the overlap Binder ratio
  g = ½(3 − [⟨q⁴⟩]/[⟨q²⟩]²), the spin-glass susceptibility χ_SG = N_v [⟨q_v²⟩] and the energy, beside the
  annealed predictions of the run.
* :func:`exact_moments` — the same thermal averages of one RBM by exact enumeration (tests).
* :func:`run_figure` — overlap histograms and time series of one run.
* :func:`phase_figure` — a T × w0 × N_v sweep: maps of [⟨q_v²⟩] and [⟨|m_v|⟩] with the annealed lines βσ = 1
  and βw0 = 1, and the Binder ratio against T for each size with its crossing.

Errors: each disorder sample's thermal mean carries an autocorrelation-corrected error (τ_int of its own
series, replicas and pairs averaged per row); the disorder average's error is the standard error over samples
(which contains the thermal noise) when there are ≥ 2 samples, else the single sample's thermal error.
Ratios (g) get a delete-one-sample jackknife, or a blocked jackknife in time for a single sample.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.models.rbm import RBM, configurations
from statmech_nn.rbm.exact import visible_log_probabilities

from . import stats
from statmech_nn.stats import binder_crossings
from .plots import plt
from .stats import Estimate

ANNEALED = ("beta_sigma", "beta_w0", "energy_annealed")


def _series(run: Run, name: str) -> np.ndarray:
    """(samples, rows): the observable averaged over replicas (or pairs) at each row."""
    return np.asarray(run[name], dtype=np.float64).mean(axis=2).T


def disorder_mean(per_sample: np.ndarray) -> Estimate:
    """[⟨x⟩] over disorder of per-sample time series (samples, rows); see the module docstring for errors."""
    estimates = [stats.mean(x) for x in per_sample]
    means = np.array([e.value for e in estimates])
    tau = max(e.tau for e in estimates)
    n = per_sample.size
    if len(means) == 1:
        return Estimate(float(means[0]), estimates[0].error, tau, n)
    return Estimate(float(means.mean()), float(means.std(ddof=1) / math.sqrt(len(means))), tau, n)


def _binder(q2: float, q4: float) -> float:
    return 0.5 * (3.0 - q4 / q2**2)


def binder_ratio(q: np.ndarray) -> Estimate:
    """g = ½(3 − [⟨q⁴⟩]/[⟨q²⟩]²) from overlaps q of shape (rows, samples, pairs)."""
    q2 = (q**2).mean(axis=2).T
    q4 = (q**4).mean(axis=2).T
    if len(q2) == 1:
        return stats.jackknife(_binder, q2[0], q4[0])
    m2, m4 = q2.mean(axis=1), q4.mean(axis=1)
    s = len(m2)
    value = _binder(m2.mean(), m4.mean())
    deleted = np.array([_binder((m2.sum() - m2[k]) / (s - 1), (m4.sum() - m4[k]) / (s - 1)) for k in range(s)])
    error = math.sqrt((s - 1) / s * np.sum((deleted - deleted.mean()) ** 2))
    return Estimate(float(value), error, max(stats.tau_int(x)[0] for x in q2), q2.size)


def analyze(run: Run) -> dict[str, Estimate]:
    """The estimates listed in the module docstring; annealed values have error 0 and n = 0."""
    if run.study != "rbm-random":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'rbm-random'")
    if len(run.observables["q_v"]) < 2:
        raise FormatError(f"{run.path}: fewer than 2 rows; at least 2 are needed for estimates")
    out = {}
    for layer in ("v", "h"):
        q = np.asarray(run[f"q_{layer}"], dtype=np.float64)
        out[f"abs_m_{layer}"] = disorder_mean(_series(run, f"abs_m_{layer}"))
        out[f"abs_q_{layer}"] = disorder_mean(np.abs(q).mean(axis=2).T)
        out[f"q2_{layer}"] = disorder_mean((q**2).mean(axis=2).T)
        out[f"binder_q_{layer}"] = binder_ratio(q)
    n_v = int(run.parameters["n_visible"])
    q2 = out["q2_v"]
    out["chi_sg"] = Estimate(n_v * q2.value, n_v * q2.error, q2.tau, q2.n)
    out["energy"] = disorder_mean(_series(run, "energy"))
    for name in ANNEALED:
        out[name] = Estimate(float(run.results[name]), 0.0, math.nan, 0)
    return out


def exact_moments(model: RBM) -> dict[str, float]:
    """Exact thermal averages of one RBM at β = 1: ⟨|m|⟩, ⟨|q|⟩, ⟨q²⟩, ⟨q⁴⟩ of each layer (two independent
    replicas: P(q) = Σ p(x) p(x') δ(q − x·x'/n)) and the energy ⟨E⟩ (not rescaled)."""
    out = {}
    for layer, m in (("v", model), ("h", model.transpose())):
        p = np.exp(visible_log_probabilities(m))
        x = configurations(m.n_visible, m.units)
        q = x @ x.T / m.n_visible
        out[f"abs_m_{layer}"] = float(p @ np.abs(x.mean(axis=1)))
        for name, f in ((f"abs_q_{layer}", np.abs(q)), (f"q2_{layer}", q**2), (f"q4_{layer}", q**4)):
            out[name] = float(p @ f @ p)
        if layer == "v":
            field = x @ m.weights + m.hidden_bias
            mean_h = np.tanh(field) if m.spin else 1.0 / (1.0 + np.exp(-field))
            out["energy"] = float(p @ (-(x @ m.visible_bias) - np.sum(field * mean_h, axis=1)))
    return out


def run_figure(run: Run):
    """(a) histograms of q_v and q_h over all samples, pairs and rows; (b) [q_v²] and [|m_v|] against sweep."""
    fig, (ax_p, ax_t) = plt.subplots(1, 2, figsize=(10, 3.8))
    p = run.parameters
    sizes = {"v": int(p["n_visible"]), "h": int(p["n_hidden"] or p["n_visible"])}
    for layer, color in (("v", "C0"), ("h", "C1")):
        q = np.asarray(run[f"q_{layer}"]).ravel()
        step = 2.0 / sizes[layer]  # q takes the values -1, -1 + step, ..., 1: one bin per value
        bins = np.arange(-1.0 - step / 2, 1.0 + step, step)
        ax_p.hist(q, bins=bins, density=True, histtype="step", color=color, label=f"q_{layer}")
    ax_p.set(xlabel="overlap q", ylabel="P(q)", title="replica overlaps (all disorder samples)")
    ax_p.legend(fontsize=8)
    steps = run.observables["q_v"].step
    ax_t.plot(steps, (np.asarray(run["q_v"]) ** 2).mean(axis=(1, 2)), lw=0.8, label="[q_v²]")
    ax_t.plot(steps, np.asarray(run["abs_m_v"]).mean(axis=(1, 2)), lw=0.8, label="[|m_v|]")
    ax_t.set(xlabel="sweep", title="disorder averages per row")
    ax_t.legend(fontsize=8)
    fig.suptitle(f"rbm-random: N_v = {p['n_visible']}, N_h = {p['n_hidden'] or p['n_visible']}, σ = {p['sigma']}, "
                 f"w0 = {p['w0']}, h = {p['field']}, T = {p['T']}, {p['samples']} samples", fontsize=9)
    fig.tight_layout()
    return fig


def _axis_cut(sweep, name: str, fixed: dict) -> np.ndarray:
    """Summary ``name`` (mean, error) over the grid with the axes in ``fixed`` held at the given indices."""
    axes = list(sweep.axes)
    index = tuple(fixed.get(a, slice(None)) for a in axes)
    return sweep.results[name].mean[index], sweep.results[name].error[index]


def spin_glass_crossing(sweep) -> Estimate:
    """T at which the overlap Binder ratios g_v(T) of the sizes cross (w0 = 0 if w0 is an axis); the crossing of
    the two largest sizes (:func:`statmech_nn.stats.binder_crossings`)."""
    fixed = {}
    if "w0" in sweep.axes:
        fixed["w0"] = int(np.argmin(np.abs(sweep.axes["w0"])))
    mean, err = _axis_cut(sweep, "binder_q_v", fixed)
    axes = [a for a in sweep.axes if a not in fixed]
    if axes != ["n_visible", "T"] and axes != ["T", "n_visible"]:
        raise FormatError(f"{sweep.path}: a Binder crossing needs grid axes n_visible and T (and optionally w0)")
    if axes[0] == "T":
        mean, err = mean.T, err.T
    T = sweep.axes["T"]
    return binder_crossings(T, list(sweep.axes["n_visible"]), mean, err, window=4, degree=1).tc


def phase_figure(sweep):
    """Phase diagram of an ``rbm-random`` sweep over n_visible × w0 × T (σ fixed): see the module docstring."""
    if sweep.study != "rbm-random" or not {"n_visible", "w0", "T"} <= set(sweep.axes):
        raise FormatError(f"{sweep.path}: phase_figure needs an rbm-random sweep over n_visible, w0 and T")
    axes = list(sweep.axes)
    sigma = float(sweep.parameters.get("sigma", 1.0))
    T, w0, sizes = sweep.axes["T"], sweep.axes["w0"], sweep.axes["n_visible"]
    fig, (ax_q, ax_m, ax_g) = plt.subplots(1, 3, figsize=(15, 4.4))
    big = {"n_visible": len(sizes) - 1}
    for ax, name, label in ((ax_q, "q2_v", "[⟨q_v²⟩]"), (ax_m, "abs_m_v", "[⟨|m_v|⟩]")):
        values = _axis_cut(sweep, name, big)[0]
        rest = [a for a in axes if a != "n_visible"]
        if rest[0] == "T":
            values = values.T
        mesh = ax.pcolormesh(T, w0, values, shading="nearest", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=label)
        ax.axvline(sigma, color="w", ls="--", lw=1.2, label="annealed PM–SG: βσ = 1")
        line = np.linspace(sigma, max(T.max(), sigma), 50)
        ax.plot(line, line, "w:", lw=1.2, label="annealed PM–F: βw0 = 1")
        ax.set(xlabel="T", ylabel="w0", title=f"{label}, N_v = {sizes[-1]}", xlim=(T.min(), T.max()),
               ylim=(w0.min(), w0.max()))
        ax.legend(fontsize=7, loc="upper right")
    zero = {"w0": int(np.argmin(np.abs(w0)))}
    for k, n in enumerate(sizes):
        mean, err = _axis_cut(sweep, "binder_q_v", {**zero, "n_visible": k})
        ax_g.errorbar(T, mean, yerr=err, marker="o", ms=3, capsize=2, lw=1, label=f"N_v = N_h = {n}")
    ax_g.axvline(sigma, color="k", ls="--", lw=0.8, label="annealed βσ = 1")
    if len(sizes) >= 2:
        try:
            tc = spin_glass_crossing(sweep)
            if math.isfinite(tc.value):
                ax_g.axvspan(tc.value - tc.error, tc.value + tc.error, color="C3", alpha=0.25,
                             label=f"crossing T = {tc}")
        except FormatError:
            pass
    ax_g.set(xlabel="T", ylabel="g_v = ½(3 − [⟨q⁴⟩]/[⟨q²⟩]²)", title=f"overlap Binder ratio, w0 = {w0[zero['w0']]}")
    ax_g.legend(fontsize=7)
    fig.tight_layout()
    return fig
