"""Summaries of the RBM studies ``rbm-train``, ``rbm-logz`` and ``rbm-sample`` (docs/rbm.md)."""
from __future__ import annotations

import math

from statmech_nn import stats
from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def _train(run: Run) -> dict[str, Estimate]:
    """Last row: mean log-likelihood (± the AIS error when not exact), its gap to the best reachable value
    -H(data), reconstruction error, flip rate (and the smallest PT swap acceptance)."""
    ll, err = run["log_likelihood"], run["log_likelihood_error"]
    out = {"log_likelihood": Estimate(float(ll[-1]), float(err[-1]), math.nan, 1),
           "reconstruction_error": Estimate.exact(run["reconstruction_error"][-1]),
           "flip_rate": Estimate.exact(run["flip_rate"][-1])}
    if "log_likelihood_bound" in run.results:
        bound = float(run.results["log_likelihood_bound"])
        out["log_likelihood_bound"] = Estimate.exact(bound)
        out["log_likelihood_gap"] = Estimate(bound - float(ll[-1]), float(err[-1]), math.nan, 1)
    if "swap_acceptance" in run.observables:
        out["swap_acceptance_min"] = Estimate.exact(run["swap_acceptance"][-1].min())
    return out


def _logz(run: Run) -> dict[str, Estimate]:
    """log Z (± the AIS error; n = the effective sample size), the reverse-AIS estimate, the ESS and the exact
    value when stored."""
    r = run.results
    out = {"log_z": Estimate(float(r["log_z"]), float(r["log_z_error"]), math.nan, int(r.get("ess", 0)))}
    if "log_z_reverse" in r:
        out["log_z_reverse"] = Estimate(float(r["log_z_reverse"]), float(r["log_z_reverse_error"]), math.nan,
                                        int(r["reverse_ess"]))
        out["ess"] = Estimate.exact(r["ess"])
    if "log_z_exact" in r:
        out["log_z_exact"] = Estimate.exact(r["log_z_exact"])
    return out


def _sample(run: Run) -> dict[str, Estimate]:
    """Time averages of the chain-mean series with τ_int-corrected errors (the chains are independent, so the
    chain mean has the single-chain τ_int and the variance divided by the number of chains), plus exact values."""
    out = {name: stats.mean(run[name].mean(axis=1)) for name in ("free_energy", "magnetization", "flip_rate")}
    for name in ("free_energy_exact", "magnetization_exact"):
        if name in run.results:
            out[name] = Estimate.exact(run.results[name])
    return out


def analyze(run: Run) -> dict[str, Estimate]:
    """The run's estimates (see ``_train``, ``_logz``, ``_sample``)."""
    try:
        return {"rbm-train": _train, "rbm-logz": _logz, "rbm-sample": _sample}[run.study](run)
    except KeyError:
        raise FormatError(f"{run.path}: not an RBM run (study '{run.study}')") from None
