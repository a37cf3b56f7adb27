"""Estimates from the renormalization-group runs (docs/rg.md).

* :func:`decimate` (``rg-decimate-1d``): the largest KL of the enumeration checks (0 to round-off), K after the
  last step, and the spread of the invariant ξ_n 2^n = ξ_0 of the exact flow.
* :func:`stack` (``rg-stack``): statistics of the data (e, |m|; independent samples ⇒ standard errors), of the
  quenched control, and per depth d = 1, 2, …: locality f_k of the receptive fields and its shuffled control,
  effective block size, and e, |m| of the majority-rule block spins and of the RBM reconstructions.
* :func:`flow` (``rg-flow``): per flow start, the temperatures matched from the energy and from G(r), averaged over
  the second half of the flow (error with the flow's own τ_int).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate, mean


def _check(run: Run, study: str, complete: bool = True) -> None:
    if run.study != study:
        raise FormatError(f"{run.path}: a '{run.study}' run, not '{study}'")
    if complete and not run.results:
        raise FormatError(f"{run.path}: the '{run.study}' run has no results yet (status {run.status})")


def _sample(results, name: str, n: int, index=()) -> Estimate:
    """A mean over n independent samples stored as ``name`` and ``name_error`` (its standard error)."""
    return Estimate(float(np.asarray(results[name])[index]), float(np.asarray(results[name + "_error"])[index]),
                    math.nan, n)


def decimate(run: Run) -> dict[str, Estimate]:
    """max_kl, K_final, max_free_energy_error and xi_scaled_spread = ptp(ξ_n 2^n)/ξ_0 (all exact)."""
    _check(run, "rg-decimate-1d", complete=False)
    K, xi = run["K"], run["correlation_length"]
    scaled = xi * 2.0 ** run.observables["K"].step
    return {"max_kl": Estimate.exact(np.max(np.abs(run["kl"]))), "K_final": Estimate.exact(K[-1]),
            "max_free_energy_error": Estimate.exact(np.max(run["free_energy_error"])),
            "xi_scaled_spread": Estimate.exact(np.ptp(scaled) / scaled[0] if scaled[0] > 0 else 0.0)}


def stack(run: Run) -> dict[str, Estimate]:
    """Data, quenched-control, locality and coarse-grained statistics of an ``rg-stack`` run (module docstring)."""
    _check(run, "rg-stack")
    r = run.results
    n_data, n_quench = int(r["statistics_samples"]), int(r["quenched_samples"])
    out = {name: _sample(r, "data_" + name, n_data) for name in ("energy", "abs_magnetization")}
    eq = r["equilibration"]
    out["tau_int_sweeps"], out["spacing_sweeps"] = Estimate.exact(eq[0]), Estimate.exact(eq[1])
    out["tau_int_stored_energy"] = Estimate.exact(eq[3])
    for name in ("energy", "abs_magnetization"):
        out["quenched_" + name] = _sample(r, "quenched_" + name, n_quench)
    for d in range(len(r["block_fraction"])):
        for name in ("block_fraction", "block_fraction_shuffled", "block_size", "block_size_shuffled"):
            out[f"{name}_{d + 1}"] = Estimate.exact(r[name][d])
        for prefix in ("blockspin_", "reconstruction_"):
            for name in ("energy", "abs_magnetization"):
                if np.isfinite(r[prefix + name][d]):
                    out[f"{prefix}{name}_{d + 1}"] = _sample(r, prefix + name, n_data, d)
    return out


def flow(run: Run) -> dict[str, Estimate]:
    """T_energy_from_<T0> and T_correlation_from_<T0>: the matched temperatures over the flow's second half."""
    _check(run, "rg-flow")
    out = {}
    for name in ("T_energy", "T_correlation"):
        series = run[name]
        second_half = series[len(series) // 2:]
        for i, T0 in enumerate(run.results["flow_starts"]):
            out[f"{name}_from_{T0:g}"] = mean(second_half[:, i])
    return out


SUMMARIES = {"rg-decimate-1d": decimate, "rg-stack": stack, "rg-flow": flow}


def analyze(run: Run) -> dict[str, Estimate]:
    """The estimates of any rg-* run."""
    try:
        summarize = SUMMARIES[run.study]
    except KeyError:
        raise FormatError(f"{run.path}: a '{run.study}' run, not one of {', '.join(SUMMARIES)}") from None
    return summarize(run)
