"""Summaries of a ``gradients`` run: backpropagated gradient norms of sampled networks against the backward
mean-field recursion (Schoenholz et al. 2017; residual networks: Yang & Schoenholz 2017).

For each σ_w² (suffix ``_sw<σ_w²>``), over the run's networks (mean ± s.e.m., n = networks):

* ``grad_ratio`` — q̃^0/q̃^L = |δ^0|²/|δ^L|², beside ``grad_ratio_theory`` (:func:`gradient_ratio`);
* ``inv_xi_grad`` — the least-squares slope of ln q̃^l against l = 0..L, per network, beside
  ``inv_xi_grad_theory`` (the same fit of the theory curve); at a plain network's fixed point the slope is
  −ln χ_1 = 1/ξ_∇ (> 0: gradients vanish towards the input; < 0: they explode), ``xi_grad_theory`` = −1/ln χ_1.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def log_slope(values: np.ndarray) -> np.ndarray:
    """Least-squares slope of ln(values) against the layer index along the last axis."""
    logs = np.log(np.asarray(values, dtype=float))
    layers = np.arange(logs.shape[-1]) - (logs.shape[-1] - 1) / 2
    return logs @ layers / (layers @ layers)


def label(sigma_w2: float) -> str:
    """The suffix of the summaries of one σ_w²."""
    return f"_sw{sigma_w2:g}"


def per_sigma(run: Run) -> list[np.ndarray]:
    """q̃^l of every network (networks, depth + 1), one array per σ_w² (rows are σ_w²-major)."""
    sw2 = np.atleast_1d(run.parameters["sigma_w2"])
    grad = run["grad"]
    return list(grad.reshape(len(sw2), -1, grad.shape[-1]))


def analyze(run: Run) -> dict[str, Estimate]:
    """The module docstring's summaries."""
    if run.study != "gradients":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'gradients'")
    out: dict[str, Estimate] = {}
    theory = run.results["grad_theory"]
    for i, sw2 in enumerate(np.atleast_1d(run.parameters["sigma_w2"])):
        s = label(float(sw2))
        out[f"xi_grad_theory{s}"] = Estimate.exact(float(run.results["xi_grad"][i]))
        out[f"grad_ratio_theory{s}"] = Estimate.exact(float(theory[i, 0]))
        out[f"inv_xi_grad_theory{s}"] = Estimate.exact(float(log_slope(theory[i])))
    if "grad" not in run.observables or len(run.observables["grad"]) == 0:
        return out
    for sw2, grad in zip(np.atleast_1d(run.parameters["sigma_w2"]), per_sigma(run)):
        s, n = label(float(sw2)), len(grad)
        for name, values in (("grad_ratio", grad[:, 0] / grad[:, -1]), ("inv_xi_grad", log_slope(grad))):
            sem = float(values.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
            out[f"{name}{s}"] = Estimate(float(values.mean()), sem, math.nan, n)
    return out
