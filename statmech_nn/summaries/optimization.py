"""Summaries of the optimisation and generalisation studies (docs/optimization.md).

* :func:`analyze_deep_linear` (``deep-linear``): per (depth, mode) the simulated half-time beside the theory, per
  depth the late-time loss decay rate (a least-squares slope of ln L against t, with its standard error) beside
  −2 ln(1 − lr λ)/lr, and the final balancedness drift.
* :func:`analyze_hessian` (``hessian``): per configuration the number of outliers, the top eigenvalue, the
  fraction of the spectrum near zero, and the residual part's share of the top eigenvalue.
* :func:`analyze_factorization` (``factorization``): per configuration the nuclear norm and effective rank of the
  gradient-descent solution beside the minimum-nuclear-norm solution.
* :func:`analyze_random_labels` (``random-labels``): per label-noise level the time to fit, the generalisation gap
  and the complexity measures.

Gradient descent is deterministic, so the measured numbers carry no sampling error: their error is reported as
nan (the systematic difference from gradient flow, O(lr), is what the tests measure by halving lr).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate

#: The end-of-run complexity measures of ``random-labels`` (statmech_nn.nets.measures.all_measures).
MEASURES = ("path_norm", "spectral_product", "frobenius_product", "margin", "sharpness")


def check_run(run: Run, study: str, complete: bool = True) -> None:
    if run.study != study:
        raise FormatError(f"{run.path}: a '{run.study}' run, not '{study}'")
    if complete and not run.results:
        raise FormatError(f"{run.path}: the '{run.study}' run has no results yet (status {run.status})")


def _measured(value: float) -> Estimate:
    """A deterministic measurement (no sampling error)."""
    return Estimate(float(value), math.nan, math.nan, 1)


def linear_rate(times: np.ndarray, loss: np.ndarray) -> tuple[float, float]:
    """(rate, standard error) of ln L ≈ c − rate·t by least squares; nan with fewer than 3 points."""
    if times.size < 3:
        return math.nan, math.nan
    a = np.vstack([np.ones_like(times), times]).T
    coef, res, *_ = np.linalg.lstsq(a, np.log(loss), rcond=None)
    sigma2 = float(res[0]) / (times.size - 2) if res.size else 0.0
    cov = sigma2 * np.linalg.inv(a.T @ a)
    return float(-coef[1]), float(math.sqrt(cov[1, 1]))


def convergence_window(run: Run, column: slice, within: float = 0.05, floor: float = 1e-24) -> np.ndarray:
    """Rows in the linear regime of one depth: every mode within ``within`` × s of its target and the loss above
    the rounding ``floor``."""
    modes = run["mode_strength"][:, column]
    s = run.results["column_singular_value"][column]
    near = np.all(np.abs(modes - s) <= within * s, axis=1)
    return near


def analyze_deep_linear(run: Run) -> dict[str, Estimate]:
    """``half_time_D{D}_s{s}`` and ``half_time_theory_D{D}_s{s}`` per column (nan: not reached);
    ``convergence_rate_D{D}`` (late-time slope of −ln L, rows with every mode within 5% of s) beside
    ``convergence_rate_theory_D{D}``; ``balance_drift_D{D}`` at the last row."""
    check_run(run, "deep-linear")
    r, p = run.results, run.parameters
    out = {}
    for j, (d, s) in enumerate(zip(r["column_depth"], r["column_singular_value"])):
        key = f"D{int(d)}_s{float(s):g}"
        out[f"half_time_{key}"] = _measured(r["half_time"][j])
        out[f"half_time_theory_{key}"] = Estimate.exact(r["half_time_theory"][j])
    m = len(np.atleast_1d(p["singular_values"]))
    times = run.observables["loss"].step * float(p["lr"])
    for i, d in enumerate(np.atleast_1d(p["depth"])):
        loss = run["loss"][:, i]
        rows = convergence_window(run, slice(i * m, (i + 1) * m)) & (loss > 1e-24)
        rate, err = linear_rate(times[rows], loss[rows])
        out[f"convergence_rate_D{int(d)}"] = Estimate(rate, err, math.nan, int(rows.sum()))
        out[f"convergence_rate_theory_D{int(d)}"] = Estimate.exact(r["convergence_rate_theory"][i])
        out[f"balance_drift_D{int(d)}"] = _measured(run["balance_drift"][-1, i])
    return out


def _config_key(run: Run, i: int) -> str:
    r = run.results
    return f"k{int(r['classes'][i])}_h{int(r['hidden'][i])}"


def near_zero_fraction(eigenvalues: np.ndarray, relative: float = 1e-3) -> float:
    """The fraction of the spectrum with |λ| < relative × λ_max (the bulk at zero of Sagun et al.)."""
    ev = eigenvalues[np.isfinite(eigenvalues)]
    return float(np.mean(np.abs(ev) < relative * ev.max())) if ev.size else math.nan


def analyze_hessian(run: Run) -> dict[str, Estimate]:
    """Per configuration ``k{k}_h{h}``: ``n_outliers``, ``lambda_max``, ``near_zero_fraction`` (|λ| < 1e-3 λ_max),
    ``residual_share`` (max |eig R| / λ_max(H)), ``trace`` (exact) beside ``slq_trace`` (Hutchinson error over the
    probes), and ``final_loss``."""
    from statmech_nn.nets.spectra import trace
    check_run(run, "hessian")
    r, out = run.results, {}
    for i in range(len(r["classes"])):
        key, ev = _config_key(run, i), r["eigenvalues"][i]
        p = int(r["n_params"][i])
        slq, err = trace(r["slq_nodes"][i], r["slq_weights"][i], lambda x: x, p)
        out[f"slq_trace_{key}"] = Estimate(slq, err, math.nan, r["slq_nodes"].shape[1])
        if np.isfinite(ev).any():
            ev = ev[:p]
            out[f"n_outliers_{key}"] = Estimate.exact(r["n_outliers"][i])
            out[f"lambda_max_{key}"] = Estimate.exact(ev.max())
            out[f"near_zero_fraction_{key}"] = Estimate.exact(near_zero_fraction(ev))
            out[f"residual_share_{key}"] = Estimate.exact(np.abs(r["residual_eigenvalues"][i, :p]).max() / ev.max())
            out[f"trace_{key}"] = Estimate.exact(ev.sum())
        if "loss" in run.observables and len(run.observables["loss"]):
            out[f"final_loss_{key}"] = _measured(run["loss"][-1, i])
    return out


def analyze_factorization(run: Run) -> dict[str, Estimate]:
    """``min_nuclear_norm``, ``truth_nuclear_norm``, ``min_nuclear_error`` (|X_min − X*|_F); per configuration
    ``a{α}_d{d}``: ``nuclear_norm``, ``excess_nuclear_norm`` (|X|_* / min − 1), ``effective_rank``, ``error``
    (|X − X*|_F), ``distance_to_min`` and ``final_loss``."""
    check_run(run, "factorization")
    r = run.results
    out = {name: Estimate.exact(r[name]) for name in ("min_nuclear_norm", "truth_nuclear_norm", "min_nuclear_error")}
    for i, (scale, d) in enumerate(zip(r["init_scale"], r["width"])):
        key = f"a{float(scale):g}_d{int(d)}"
        out[f"nuclear_norm_{key}"] = _measured(r["nuclear_norm"][i])
        out[f"excess_nuclear_norm_{key}"] = _measured(r["nuclear_norm"][i] / r["min_nuclear_norm"] - 1.0)
        out[f"effective_rank_{key}"] = _measured(r["effective_rank"][i])
        out[f"error_{key}"] = _measured(r["error"][i])
        out[f"distance_to_min_{key}"] = _measured(r["distance_to_min"][i])
        out[f"final_loss_{key}"] = _measured(run["loss"][-1, i])
    return out


def _over_networks(values: np.ndarray) -> Estimate:
    """Mean ± standard error over independent networks (error nan for one network)."""
    n = values.size
    err = float(np.std(values, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return Estimate(float(np.mean(values)), err, math.nan, n)


def analyze_random_labels(run: Run) -> dict[str, Estimate]:
    """Per (label noise p, width h), over the replicas: ``fit_epoch_p{p}_h{h}`` (epochs to fit every training
    label; the number of epochs run where a network did not), ``generalization_gap``, ``test_accuracy`` and each
    measure; over all networks, the rank correlation ``spearman_<measure>`` of each measure (and of it over the
    squared margin, ``spearman_<measure>_over_margin2``) with the generalisation gap."""
    from scipy.stats import spearmanr
    check_run(run, "random-labels")
    r, out = run.results, {}
    epochs = len(run.observables["train_accuracy"])
    fit = np.where(r["fit_epoch"] > 0, r["fit_epoch"], epochs).astype(float)
    for p in np.unique(r["label_noise"]):
        for h in np.unique(r["hidden"]):
            sel = (r["label_noise"] == p) & (r["hidden"] == h)
            key = f"p{float(p):g}_h{int(h)}"
            out[f"fit_epoch_{key}"] = _over_networks(fit[sel])
            for name in ("generalization_gap", "test_accuracy", *MEASURES):
                out[f"{name}_{key}"] = _over_networks(r[name][sel])
    gap = r["generalization_gap"]
    if gap.size > 2 and np.ptp(gap) > 0:
        for name in MEASURES:
            out[f"spearman_{name}"] = Estimate.exact(spearmanr(r[name], gap)[0])
            if name != "margin":
                out[f"spearman_{name}_over_margin2"] = Estimate.exact(
                    spearmanr(r[name] / np.maximum(r["margin"], 1e-12) ** 2, gap)[0])
    return out
