"""Summaries of a ``signal-prop`` run: the mean-field numbers, and the simulated last layer beside theory."""
from __future__ import annotations

import math

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
    ``c_L_theory``."""
    if run.study != "signal-prop":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'signal-prop'")
    out = {name: Estimate.exact(run.results[name]) for name in THEORY if name in run.results}
    if simulated(run):
        n = int(run.parameters["networks"])
        layer = int(run.observables["q"].step[-1])
        for name in ("q", "c"):
            sem = float(run[f"{name}_std"][-1]) / math.sqrt(n)
            out[f"{name}_L"] = Estimate(float(run[name][-1]), sem, math.nan, n)
            out[f"{name}_L_theory"] = Estimate.exact(run.results[f"{name}_theory"][layer])
    return out
