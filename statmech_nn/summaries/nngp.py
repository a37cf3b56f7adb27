"""Summaries of an ``nngp`` run: NNGP test errors over σ_w² × depth (Lee et al., ICLR 2018) and the agreement of
wide sampled networks' empirical kernels with the recursion.

Names carry ``_sw<σ_w²>_L<depth>``:

* ``test_error`` — misclassified fraction of the test points (classification as regression), error
  √(p(1 − p)/n_test) over test points (the training set fixed);
* ``test_mse`` — mean squared error of the posterior mean over the test targets' variance (teacher: the real
  outputs; mixture: the centred one-hot targets), error: s.e.m. over test points;
* ``kernel_rms_z`` (runs with width > 0) — √(mean z²) over the distinct entries of the kernel-point Gram matrix,
  z = (mean over networks of K̂^L − K^L)/s.e.m.; ≈ 1 when the networks agree with the N = ∞ kernel within their
  fluctuations (O(1/N) bias ignored); ``kernel_max_rel`` — the largest |mean K̂^L − K^L|/K^L.
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def label(sigma_w2: float, depth: int) -> str:
    return f"_sw{sigma_w2:g}_L{depth}"


def kernel_agreement(empirical: np.ndarray, theory: np.ndarray) -> tuple[float, float]:
    """(rms z, max relative deviation) of empirical kernels (networks, P, P) against ``theory`` (P, P)."""
    upper = np.triu_indices(theory.shape[0])
    values = empirical[:, upper[0], upper[1]]
    mean, sem = values.mean(axis=0), values.std(axis=0, ddof=1) / math.sqrt(len(values))
    exact = theory[upper]
    z = (mean - exact) / sem
    return float(np.sqrt(np.mean(z**2))), float(np.max(np.abs(mean - exact) / np.abs(exact)))


def analyze(run: Run) -> dict[str, Estimate]:
    """The module docstring's summaries."""
    if run.study != "nngp":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'nngp'")
    p = run.parameters
    sw2s, depths = np.atleast_1d(p["sigma_w2"]), np.atleast_1d(p["depth"])
    n_test = int(p["test"])
    out: dict[str, Estimate] = {}
    if len(run.observables.get("test_error", ())):
        error, mse, mse_sem = run["test_error"], run["test_mse"], run["test_mse_sem"]
        for i, sw2 in enumerate(sw2s):
            for j, depth in enumerate(depths):
                s = label(float(sw2), int(depth))
                e = float(error[i, j])
                out[f"test_error{s}"] = Estimate(e, math.sqrt(e * (1 - e) / n_test), math.nan, n_test)
                out[f"test_mse{s}"] = Estimate(float(mse[i, j]), float(mse_sem[i, j]), math.nan, n_test)
    if "empirical_kernel" in run.observables and len(run.observables["empirical_kernel"]) > 1:
        kernels = run["empirical_kernel"].reshape(len(sw2s), int(p["networks"]), len(depths),
                                                  *run["empirical_kernel"].shape[-2:])
        for i, sw2 in enumerate(sw2s):
            for j, depth in enumerate(depths):
                s = label(float(sw2), int(depth))
                rms, rel = kernel_agreement(kernels[i, :, j], run.results["kernel_theory"][i, j])
                out[f"kernel_rms_z{s}"] = Estimate.exact(rms)
                out[f"kernel_max_rel{s}"] = Estimate.exact(rel)
    return out
