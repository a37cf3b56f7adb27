"""Summaries of the ``capacity``, ``hopfield`` and ``teacher-student`` runs (docs/learning.md).

Each run holds a curve over the loads α (mean over independent trials ± standard error) and its theory. The
summaries are the load where the simulated curve crosses a level (linear interpolation between the two grid points
that bracket the first crossing; error by propagating the two points' standard errors, trials being independent),
beside the theory's value (a crossing outside the grid is left out):

* capacity — ``alpha_half`` (separable fraction = ½; Cover: exactly α = 2 at κ = 0 for any N) and
  ``alpha_c_theory`` (Gardner's α_c(κ), or Krauth–Mézard's 0.833 for ±1 weights);
* hopfield — ``alpha_drop`` (overlap = ``HOPFIELD_LEVEL``), ``alpha_c_theory``, ``overlap_c_theory`` (AGS, T = 0)
  and ``alpha_spinodal_theory`` = α_M(T), the largest load with a retrieval state at the run's T;
* teacher-student — ``generalization_error_last`` (at the largest α) beside its theory; for ±1 weights
  ``alpha_unique`` (half the trials have the teacher as the only consistent weight vector) beside the RS
  first-order transition ``alpha_transition_theory`` (≈ 1.245).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.learning import hopfield_theory, teacher_student
from statmech_nn.stats import Estimate

HOPFIELD_LEVEL = 0.5


def crossing(alpha, mean, error, level: float, n: int) -> Estimate:
    """First load where ``mean`` (over ``n`` trials) falls through ``level``, by linear interpolation; NaN if it
    never does within the grid."""
    alpha, mean, error = (np.asarray(v, dtype=float) for v in (alpha, mean, error))
    for i in range(len(alpha) - 1):
        y0, y1 = mean[i], mean[i + 1]
        if not (np.isfinite(y0) and np.isfinite(y1)) or not (y0 >= level > y1):
            continue
        da = alpha[i + 1] - alpha[i]
        x = alpha[i] + (y0 - level) * da / (y0 - y1)
        # ∂x/∂y0 = da (level − y1)/(y0 − y1)², ∂x/∂y1 = da (y0 − level)/(y0 − y1)²
        g0, g1 = da * (level - y1) / (y0 - y1) ** 2, da * (y0 - level) / (y0 - y1) ** 2
        return Estimate(float(x), float(math.hypot(g0 * error[i], g1 * error[i + 1])), math.nan, n)
    return Estimate(math.nan, math.nan, math.nan, n)


def _check(run: Run, study: str) -> None:
    if run.study != study:
        raise FormatError(f"{run.path}: a '{run.study}' run, not '{study}'")
    if "alpha" not in run.results:
        raise FormatError(f"{run.path}: no /results yet (the run stopped before its first commit)")


def _curve(run: Run, name: str, level: float, key: str) -> dict[str, Estimate]:
    """``{key: crossing}``, or nothing where the curve does not cross ``level`` on the grid."""
    r = run.results
    est = crossing(r["alpha"], r[name], r[f"{name}_error"], level, int(run.parameters["trials"]))
    return {key: est} if math.isfinite(est.value) else {}


def analyze_capacity(run: Run) -> dict[str, Estimate]:
    _check(run, "capacity")
    return {**_curve(run, "separable_fraction", 0.5, "alpha_half"),
            "alpha_c_theory": Estimate.exact(run.results["alpha_c_theory"])}


def spinodal_load(T: float) -> float:
    """α_M(T) of the AGS theory: α_c at T = 0, the retrieval spinodal for 0.02 ≤ T ≤ 0.8, NaN otherwise."""
    if T == 0.0:
        return hopfield_theory.ags_critical()[0]
    if hopfield_theory.T_MIN_SPINODAL <= T <= hopfield_theory.T_MAX_SPINODAL:
        return float(hopfield_theory.retrieval_spinodal([T])[0])
    return math.nan


def analyze_hopfield(run: Run) -> dict[str, Estimate]:
    _check(run, "hopfield")
    r = run.results
    out = {**_curve(run, "overlap", HOPFIELD_LEVEL, "alpha_drop"),
           "alpha_c_theory": Estimate.exact(r["alpha_c_theory"]),
           "overlap_c_theory": Estimate.exact(r["overlap_c_theory"])}
    alpha_m = spinodal_load(float(run.parameters["T"]))
    if math.isfinite(alpha_m):
        out["alpha_spinodal_theory"] = Estimate.exact(alpha_m)
    return out


def learning_curve_theory(alpha, rule: str, n_students: int | None = None, T: float = 0.0) -> np.ndarray:
    """``teacher_student.generalization_error_theory`` load by load, NaN where it has no value (rule 'bayes' at
    T > 0), where the finite-T saddle-point solve fails (seen at α = 5.0 and 5.5 for T = 0.25–1) or lands on the
    trivial branch R = 0 (ε = ½, seen at α = 4.8 and 5.2 for T = 0.25)."""
    if rule == "bayes" and T > 0.0:
        return np.full(len(alpha), np.nan)
    out = np.full(len(alpha), np.nan)
    for i, a in enumerate(alpha):
        try:
            eps = teacher_student.generalization_error_theory([a], rule, n_students, T)[0]
            out[i] = eps if eps < 0.5 - 1e-9 else np.nan
        except (ArithmeticError, ValueError, RuntimeError):
            pass
    return out


def analyze_teacher_student(run: Run) -> dict[str, Estimate]:
    _check(run, "teacher-student")
    r, n = run.results, int(run.parameters["trials"])
    done = np.flatnonzero(np.isfinite(r["generalization_error"]))
    out = {}
    if len(done):
        i = done[-1]
        out["generalization_error_last"] = Estimate(float(r["generalization_error"][i]),
                                                    float(r["generalization_error_error"][i]), math.nan, n)
        if np.isfinite(r["generalization_error_theory"][i]):  # no theory for the Bayes centroid at T > 0
            out["generalization_error_last_theory"] = Estimate.exact(r["generalization_error_theory"][i])
    if "unique_fraction" in r:
        unique = crossing(r["alpha"], 1.0 - r["unique_fraction"], r["unique_fraction_error"], 0.5, n)
        if math.isfinite(unique.value):
            out["alpha_unique"] = unique
        out["alpha_transition_theory"] = Estimate.exact(r["alpha_transition_theory"])
    return out
