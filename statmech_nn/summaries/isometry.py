"""Estimates from an ``isometry`` run (Pennington, Schoenholz & Ganguli 2017): mean, variance and third moment of
the eigenvalues λ of JJᵀ pooled over the run's networks, with errors from a jackknife over networks, beside their
free-probability predictions (exact)."""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate, jackknife

PREDICTED = ("jjt_mean_predicted", "jjt_variance_predicted", "jjt_moment3_predicted", "sigma_w2", "q0", "chi1")


def check(run: Run) -> None:
    """Raise :class:`FormatError` unless ``run`` is an isometry run."""
    if run.study != "isometry":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'isometry'")


def analyze(run: Run) -> dict[str, Estimate]:
    """``jjt_mean``, ``jjt_variance``, ``jjt_moment3`` (E[λ³]) of the eigenvalues of all networks pooled, errors
    from a jackknife over networks (n = networks; nan error for one network), and the predictions (exact)."""
    check(run)
    out = {name: Estimate.exact(run.results[name]) for name in PREDICTED if name in run.results}
    lam = np.asarray(run.results["singular_values"], dtype=float) ** 2
    if lam.size == 0:
        return out
    m1, m2, m3 = (np.mean(lam**k, axis=1) for k in (1, 2, 3))
    if len(lam) > 1:
        out["jjt_mean"] = jackknife(lambda a: a, m1, block=1)
        out["jjt_variance"] = jackknife(lambda a, b: b - a * a, m1, m2, block=1)
        out["jjt_moment3"] = jackknife(lambda c: c, m3, block=1)
    else:
        out.update(jjt_mean=Estimate(float(m1[0]), math.nan, math.nan, 1),
                   jjt_variance=Estimate(float(m2[0] - m1[0] ** 2), math.nan, math.nan, 1),
                   jjt_moment3=Estimate(float(m3[0]), math.nan, math.nan, 1))
    return out
