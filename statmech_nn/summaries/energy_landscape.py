"""Summaries of ``landscape`` and ``basin-volume`` runs (docs/landscape.md).

``landscape``: per part (hidden width for networks, suffix ``_h<width>``) the numbers of minima and verified
transition states, minima not connected to the global minimum, the global minimum energy (beside the Cambridge
Cluster Database value for LJ7, LJ13, LJ38), the hop acceptance rate (± binomial error √(p(1−p)/n)), and for
networks the rank correlation of test loss with minimum energy. ``basin-volume``: mean log-volume, log det H
and test loss over the starts, and the rank correlations of log V and log det H with the test loss (± the
large-sample error (1 − ρ²)/√(n − 1)).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.stats import spearmanr

from statmech_nn import stats
from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate

SYSTEMS = ("lj", "muller-brown", "pspin", "mlp", "rbm")
#: Global minima of LJ_n (ε units) from the Cambridge Cluster Database (Wales & Doye 1997).
LJ_GLOBAL_MINIMA = {7: -16.505384, 13: -44.326801, 38: -173.928427}


def check(run: Run, study: str = "landscape", key: str = "minima") -> None:
    if run.study != study:
        raise FormatError(f"{run.path}: a '{run.study}' run, not '{study}'")
    if key not in run.results:
        raise FormatError(f"{run.path}: no {study} results (the run has not finished a step)")


def _rank_correlation(a, b) -> Estimate:
    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    n = int(ok.sum())
    if n < 3:
        return Estimate(math.nan, math.nan, math.nan, n)
    rho = float(spearmanr(a[ok], b[ok]).statistic)
    return Estimate(rho, (1 - rho ** 2) / math.sqrt(n - 1), math.nan, n)


def analyze(run: Run) -> dict[str, Estimate]:
    """The estimates listed in the module docstring."""
    check(run)
    r, p = run.results, run.parameters
    minima, ts = r["minima"], r["ts"]
    hidden = np.atleast_1d(r["parts"]["hidden"]) if "parts" in r else [None]
    out = {}
    for k, h in enumerate(hidden):
        tag = "" if h is None or len(hidden) == 1 else f"_h{int(h)}"
        mine = np.asarray(minima["part"]) == k
        energy = np.asarray(minima["energy"])[mine]
        component = np.asarray(minima["component"])[mine]
        out["minima" + tag] = Estimate.exact(mine.sum())
        out["transition_states" + tag] = Estimate.exact(np.sum(np.asarray(ts["part"]) == k))
        out["unconnected_minima" + tag] = Estimate.exact(np.sum(component != component[0]))
        out["global_minimum_energy" + tag] = Estimate.exact(energy[0])
        if "test_loss" in minima:
            out["rho_test_loss_energy" + tag] = _rank_correlation(energy, np.asarray(minima["test_loss"])[mine])
        if "accepted" in run.observables:
            acc = run["accepted"][run["part"] == k].astype(float)
            if len(acc):
                q = float(acc.mean())
                out["acceptance" + tag] = Estimate(q, math.sqrt(q * (1 - q) / len(acc)), math.nan, len(acc))
    if p.get("system") == "lj" and int(p["atoms"]) in LJ_GLOBAL_MINIMA:
        out["global_minimum_reference"] = Estimate.exact(LJ_GLOBAL_MINIMA[int(p["atoms"])])
    return out


def analyze_volumes(run: Run) -> dict[str, Estimate]:
    """The estimates listed in the module docstring."""
    check(run, "basin-volume", "coords")
    out = {name: stats.mean(run[name]) for name in ("energy", "log_volume", "log_det_hessian", "test_loss")
           if np.all(np.isfinite(run[name])) and len(run[name]) > 1}
    out["rho_log_volume_test_loss"] = _rank_correlation(run["log_volume"], run["test_loss"])
    out["rho_log_det_test_loss"] = _rank_correlation(run["log_det_hessian"], run["test_loss"])
    return out
