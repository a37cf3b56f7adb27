"""Summaries of a ``signal-prop`` run: the mean-field numbers, and the simulated last layer beside theory."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate

#: The mean-field numbers every signal-prop run stores in /results (and a theory-only sweep reports per point).
THEORY = ("q_star", "c_star", "chi1", "chi_c", "xi_q", "xi_c", "xi_grad", "sigma_w2_critical")


def simulated(run: Run) -> bool:
    """Whether the run propagated finite-width networks (width > 0)."""
    return "q" in run.observables and len(run.observables["q"]) > 0


def analyze(run: Run) -> dict[str, Estimate]:
    """Theory values (error 0, n = 0) and, for a simulated run, q and c at the last stored layer L
    (``q_L``, ``c_L``: mean over networks ± standard error, n = networks) beside the theory ``q_L_theory``,
    ``c_L_theory``. Residual runs (``architecture = resnet``) report :data:`RESIDUAL_THEORY` instead of the
    fixed-point numbers; ``--finite-width`` runs report :func:`finite_width_estimates`."""
    if run.study != "signal-prop":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'signal-prop'")
    if run.parameters.get("architecture", "plain") == "resnet":
        out = residual_estimates(run.results)
    else:
        out = {name: Estimate.exact(run.results[name]) for name in THEORY if name in run.results}
    if int(run.parameters.get("finite_width", 0)):
        return {**out, **finite_width_estimates(run)}
    if simulated(run):
        n = int(run.parameters["networks"])
        layer = int(run.observables["q"].step[-1])
        for name in ("q", "c"):
            sem = float(run[f"{name}_std"][-1]) / math.sqrt(n)
            out[f"{name}_L"] = Estimate(float(run[name][-1]), sem, math.nan, n)
            out[f"{name}_L_theory"] = Estimate.exact(run.results[f"{name}_theory"][layer])
    return out


# ---- residual networks (Yang & Schoenholz 2017) ----------------------------------------------------------------
#: Activations that tend to ±1 (bounded, odd): the reduced residual network's c^l → c_∞ with exponent κ.
SIGN_LIKE = ("tanh", "erf", "erf-plain", "hard-tanh")
#: The mean-field numbers of a residual run (/results scalars) and what a residual sweep point reports.
RESIDUAL_THEORY = ("q_L_theory", "c_L_theory", "grad_ratio", "c_inf", "kappa", "relu_rate")


def residual_theory(phi: str, sigma_w2: float, sigma_b2: float, q0: float, c0: float, depth: int,
                    residual: str = "reduced", sigma_v2: float = 1.0, sigma_a2: float = 0.0) -> dict:
    """/results of a residual run: the curves ``q_theory`` (= p^l = |x^l|²/N), ``c_theory``, ``grad_theory``
    (|δ^l|²/|δ^L|², :func:`~statmech_nn.meanfield.gradient_ratio`) for l = 0..depth, and the polynomial depth
    scales: ``c_inf``, ``kappa`` (|c^l − c_∞| ∝ l^−κ, reduced network with φ → ±1, else nan) and ``relu_rate``
    (a/2 in (1 − c^l)^−½ ≈ (a/2) l, reduced ReLU at σ_b² = 0, else nan)."""
    from statmech_nn.meanfield import gradient_ratio, relu_correlation_rate, residual_curves, sign_limit

    curves = residual_curves(phi, sigma_w2, sigma_b2, q0, c0, depth, residual, sigma_v2, sigma_a2)
    grad = gradient_ratio(phi, sigma_w2, sigma_b2, q0, depth, residual, sigma_v2, sigma_a2)
    c_inf = kappa = rate = math.nan
    if residual == "reduced" and phi in SIGN_LIKE:
        c_inf, kappa = sign_limit(sigma_w2, sigma_b2)
    if residual == "reduced" and phi == "relu" and sigma_b2 == 0:
        rate = relu_correlation_rate(sigma_w2)
    return {"q_theory": curves.p, "c_theory": curves.c, "grad_theory": grad, "c_inf": np.float64(c_inf),
            "kappa": np.float64(kappa), "relu_rate": np.float64(rate)}


def residual_estimates(results) -> dict[str, Estimate]:
    """The exact residual-theory summaries (:data:`RESIDUAL_THEORY`) of /results from :func:`residual_theory`."""
    values = {"q_L_theory": results["q_theory"][-1], "c_L_theory": results["c_theory"][-1],
              "grad_ratio": results["grad_theory"][0], "c_inf": results["c_inf"], "kappa": results["kappa"],
              "relu_rate": results["relu_rate"]}
    return {name: Estimate.exact(float(values[name])) for name in RESIDUAL_THEORY}


# ---- finite-width corrections ----------------------------------------------------------------------------------
def bias_fit(residual: np.ndarray, sem: np.ndarray, widths: np.ndarray) -> tuple[float, float]:
    """Weighted least-squares slope (± its standard error) of ``residual`` against 1/N through zero."""
    x, w = 1.0 / np.asarray(widths, dtype=float), 1.0 / np.asarray(sem, dtype=float) ** 2
    norm = float(np.sum(w * x * x))
    return float(np.sum(w * x * residual) / norm), math.sqrt(1.0 / norm)


def finite_width_estimates(run: Run) -> dict[str, Estimate]:
    """Last layer L of a ``--finite-width`` run, for each width N: ``<x>_residual_N<N>`` = mean x̂^L − x^L
    (± s.e.m. over networks) for x = q, c; the slope of the residual against 1/N through zero
    (``<x>_bias_slope``) beside the predicted coefficient ``<x>_bias_slope_theory`` (x̂ = x + coef/N); the χ² of
    the residuals against 0 (``chi2_<x>_infinite``) and against coef/N (``chi2_<x>_corrected``) with their
    upper-tail probabilities ``p_<x>_infinite``, ``p_<x>_corrected`` (degrees of freedom = number of widths)."""
    from scipy.stats import chi2

    widths = np.atleast_1d(np.asarray(run.parameters["width"], dtype=int))
    n = int(run.parameters["networks"])
    out: dict[str, Estimate] = {}
    for name in ("q", "c"):
        mean, sem = np.asarray(run[name][-1]), np.asarray(run[f"{name}_std"][-1]) / math.sqrt(n)
        residual = mean - float(run.results[f"{name}_theory"][-1])
        coef = float(run.results[f"{name}_coef"][-1])
        for k, width in enumerate(widths):
            out[f"{name}_residual_N{width}"] = Estimate(float(residual[k]), float(sem[k]), math.nan, n)
        slope, error = bias_fit(residual, sem, widths)
        out[f"{name}_bias_slope"] = Estimate(slope, error, math.nan, len(widths) * n)
        out[f"{name}_bias_slope_theory"] = Estimate.exact(coef)
        for label, expected in (("infinite", 0.0), ("corrected", coef / widths)):
            value = float(np.sum(((residual - expected) / sem) ** 2))
            out[f"chi2_{name}_{label}"] = Estimate.exact(value)
            out[f"p_{name}_{label}"] = Estimate.exact(float(chi2.sf(value, len(widths))))
    return out
