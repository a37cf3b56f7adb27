"""Summaries of an ``rbm-random`` run and sweep (docs/rbm_random.md).

* :func:`analyze` — disorder averages [⟨·⟩] of |m_v|, |m_h|, |q|, q², the overlap Binder ratio
  g = ½(3 − [⟨q⁴⟩]/[⟨q²⟩]²), the spin-glass susceptibility χ_SG = N_v [⟨q_v²⟩] and the energy, beside the
  annealed predictions of the run;
* :func:`spin_glass_crossing` — the temperature where g_v(T) of the sizes of a sweep cross.

Errors: each disorder sample's thermal mean carries an autocorrelation-corrected error (τ_int of its own
series, replicas and pairs averaged per row); the disorder average's error is the standard error over samples
(which contains the thermal noise) when there are ≥ 2 samples, else the single sample's thermal error.
Ratios (g) get a delete-one-sample jackknife, or a blocked jackknife in time for a single sample.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn import stats
from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate, binder_crossings

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
    """The estimates listed in the module docstring; annealed values are exact (error 0, n = 0)."""
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
        out[name] = Estimate.exact(run.results[name])
    return out


def axis_cut(sweep, name: str, fixed: dict) -> tuple[np.ndarray, np.ndarray]:
    """Summary ``name`` (mean, error) over the grid with the axes in ``fixed`` held at the given indices."""
    index = tuple(fixed.get(a, slice(None)) for a in sweep.axes)
    return sweep.results[name].mean[index], sweep.results[name].error[index]


def spin_glass_crossing(sweep) -> Estimate:
    """T at which the overlap Binder ratios g_v(T) of the sizes cross (w0 = 0 if w0 is an axis); the crossing of
    the two largest sizes (:func:`statmech_nn.stats.binder_crossings`)."""
    fixed = {}
    if "w0" in sweep.axes:
        fixed["w0"] = int(np.argmin(np.abs(sweep.axes["w0"])))
    mean, err = axis_cut(sweep, "binder_q_v", fixed)
    axes = [a for a in sweep.axes if a not in fixed]
    if axes != ["n_visible", "T"] and axes != ["T", "n_visible"]:
        raise FormatError(f"{sweep.path}: a Binder crossing needs grid axes n_visible and T (and optionally w0)")
    if axes[0] == "T":
        mean, err = mean.T, err.T
    T = sweep.axes["T"]
    return binder_crossings(T, list(sweep.axes["n_visible"]), mean, err, window=4, degree=1).tc
