"""Summaries of a ``chaos`` run: per-layer growth of the input curve's length, every observable at the last layer
beside its mean-field prediction, and the share of the points' variance on their top two principal axes beside the
Fourier spectrum of the iterated c-map (Poole et al. 2016; Raghu et al. 2017)."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate

OBSERVABLES = ("length", "curvature", "grassmannian_length", "transitions")
PCA_COMPONENTS = 6  # eigenvalues of the points' covariance stored per layer and network
PCA_AXES = 3        # principal axes the first network's points are projected on


def _over_networks(values: np.ndarray) -> Estimate:
    """Mean ± standard error over networks (independent samples; error nan for a single network)."""
    n = len(values)
    sem = float(np.std(values, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return Estimate(float(np.mean(values)), sem, math.nan, n)


def check_run(run: Run) -> None:
    if run.study != "chaos":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'chaos'")
    if "length" not in run.observables or len(run.observables["length"]) < 2:
        raise FormatError(f"{run.path}: needs at least layers 0 and 1 of the chaos observables")


def length_ratios(run: Run) -> np.ndarray:
    """Per network, the geometric mean of L^E_l / L^E_{l−1} over the stored layers: (L^E_last / L^E_0)^{1/last}."""
    series = run.observables["length"]
    return (series.value[-1] / series.value[0]) ** (1.0 / float(series.step[-1] - series.step[0]))


def top_fraction(run: Run, components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The share of the points' variance on their ``components`` leading principal axes: measured (layers,
    networks) and mean-field (layers,), from ``pca_variance`` / ``total_variance`` and their ``_theory``."""
    measured = run["pca_variance"][:, :, :components].sum(axis=2) / run["total_variance"]
    theory = run.results["pca_variance_theory"][:, :components].sum(axis=1) / run.results["total_variance_theory"]
    return measured, theory[run.observables["pca_variance"].step]


def analyze(run: Run) -> dict[str, Estimate]:
    """``length_ratio`` (mean ± s.e.m. over networks of :func:`length_ratios`) beside ``length_ratio_theory``
    (the same geometric mean of √χ_1^{(l)}, = √χ_1 at q0 = q*); for every observable X its value at the last
    stored layer ``X_L`` (mean ± s.e.m. over networks) beside ``X_L_theory``; ``q_star``, ``chi1``, ``chi2``;
    ``turning_per_point_L`` = L^G_L / points, the angle the tangent turns between neighbouring points: the
    finite differences are accurate to ~1e-3 while it is ≲ 0.1 (docs/chaos.md); ``pca_top2_fraction_L``, the share
    of the last layer's variance on its top two principal axes, beside ``pca_top2_fraction_L_theory``, and
    ``saturation_transitions_L`` beside its theory (runs written before these observables existed have neither)."""
    check_run(run)
    out = {name: Estimate.exact(run.results[name]) for name in ("q_star", "chi1", "chi2") if name in run.results}
    steps = run.observables["length"].step
    first, last = int(steps[0]), int(steps[-1])
    theory_length = run.results["length_theory"]
    out["length_ratio"] = _over_networks(length_ratios(run))
    out["length_ratio_theory"] = Estimate.exact((theory_length[last] / theory_length[first]) ** (1.0 / (last - first)))
    for name in OBSERVABLES:
        out[f"{name}_L"] = _over_networks(run[name][-1].astype(float))
        out[f"{name}_L_theory"] = Estimate.exact(run.results[f"{name}_theory"][last])
    out["turning_per_point_L"] = _over_networks(run["grassmannian_length"][-1] / int(run.parameters["points"]))
    if "saturation_transitions" in run.observables:
        out["saturation_transitions_L"] = _over_networks(run["saturation_transitions"][-1].astype(float))
        out["saturation_transitions_L_theory"] = Estimate.exact(run.results["saturation_transitions_theory"][last])
    if "pca_variance" in run.observables:
        measured, theory = top_fraction(run)
        out["pca_top2_fraction_L"] = _over_networks(measured[-1])
        out["pca_top2_fraction_L_theory"] = Estimate.exact(theory[-1])
    return out
