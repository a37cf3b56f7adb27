"""Summaries of a ``simplicity`` run, or of the merged counts of several (Valle-Pérez, Camargo & Louis 2019).

* :func:`summarize_counts` / :func:`analyze` — the bound log2 P(f) ≲ −a K(f) − b (a, b; ``b_bound`` shifts the
  line over every envelope point), P(constant), the plug-in entropy of P(f) (bits), the mean K_LZ, the mass of
  simple functions (K below half the median K of uniformly random functions), all with bootstrap errors
  (:func:`statmech_nn.simplicity.runs.bootstrap_summary`, 200 multinomial resamplings); the Good–Turing unseen
  mass n_1/N with Esty's error; the top probability with its binomial error; counts (exact).
* :func:`merge_runs` — one table of the counts of several runs of one ensemble (their networks must be disjoint:
  different seeds or sweep points, or disjoint block ranges of one seed).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.simplicity.estimators import complexity_bound_fit, good_turing_unseen
from statmech_nn.simplicity.runs import bootstrap_summary, good_turing_error, merge_counts, simple_threshold
from statmech_nn.simplicity.table import FunctionTable
from statmech_nn.stats import Estimate

CONVENTIONS = ("input x_a = binary expansion of the index a, most significant bit first; truth-table bit a = f(x_a) "
               "in uint64 word a // 64 at bit a % 64; f(x) = [final pre-activation > 0]; W_ij variance "
               "sigma_w2/fan_in, b_i ~ N(0, sigma_b2); complexity K_LZ = log2(2^n) [c(s) + c(reverse s)]/2, "
               "log2(2^n) for constant functions")
ENSEMBLE = ("inputs", "phi", "sigma_w2", "sigma_b2", "weights")
N_BOOT = 200


def check_run(run: Run) -> None:
    if run.study != "simplicity":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'simplicity'")
    if "counts" not in run.results or int(run.results["n_samples"]) == 0:
        raise FormatError(f"{run.path}: no function counts yet (the run stopped before its first block)")


def summarize_counts(functions, counts, complexity, n: int) -> dict[str, Estimate]:
    """The summaries of a function distribution (module docstring)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    boot = bootstrap_summary(functions, counts, complexity, n, simple_threshold(n), N_BOOT)
    out = {name: Estimate(value, error, math.nan, total) for name, (value, error) in boot.items()}
    seen = counts > 0
    out["b_bound"] = Estimate(complexity_bound_fit(counts[seen], np.asarray(complexity)[seen])["b_bound"],
                              math.nan, math.nan, total)
    p_top = counts.max() / total
    out["p_top"] = Estimate(float(p_top), math.sqrt(p_top * (1 - p_top) / total), math.nan, total)
    out["unseen_mass"] = Estimate(good_turing_unseen(counts), good_turing_error(counts), math.nan, total)
    out["n_samples"] = Estimate.exact(total)
    out["n_distinct"] = Estimate.exact(int(seen.sum()))
    return out


def analyze(run: Run) -> dict[str, Estimate]:
    """:func:`summarize_counts` of the run, plus its number of parameters."""
    check_run(run)
    r = run.results
    out = summarize_counts(r["functions"], r["counts"], r["complexity"], int(run.parameters["inputs"]))
    out["n_parameters"] = Estimate.exact(int(r["n_parameters"]))
    return out


def _ensemble(run: Run) -> tuple:
    return (*(run.parameters[k] for k in ENSEMBLE), tuple(np.asarray(run.results["hidden_widths"]).tolist()))


def merge_runs(runs) -> FunctionTable:
    """The summed counts of ``runs`` (:class:`Run`\\ s of one ensemble whose networks are disjoint)."""
    runs = list(runs)
    if not runs:
        raise FormatError("merge_runs: no runs given")
    for run in runs:
        check_run(run)
        if _ensemble(run) != _ensemble(runs[0]):
            raise FormatError(f"{run.path}: another ensemble than {runs[0].path} ({ENSEMBLE} and hidden widths)")
    streams: dict[tuple, list] = {}
    for run in runs:
        key = (run.parameters["seed"], tuple(np.asarray(run.results["seed_key"]).tolist()))
        lo, hi = (int(x) for x in run.results["blocks"])
        for other, (a, b) in streams.get(key, []):
            if lo < b and a < hi:
                raise FormatError(f"{run.path}: blocks [{lo}, {hi}) of its seed overlap those of {other.path} "
                                  f"[{a}, {b}): the same networks would be counted twice")
        streams.setdefault(key, []).append((run, (lo, hi)))
    return merge_counts(*((run.results["functions"], run.results["counts"]) for run in runs))
