"""Summaries of ``spinglass`` and ``loss-band`` runs (docs/spinglass.md).

``spinglass``:

* ``exact`` — the enumerated numbers as exact estimates: ground_energy (min H/N), energy_mean (⟨H⟩/N at T),
  log_z, specific_heat (Var H/(N T²)), q2 (⟨q²⟩, N ≤ 20);
* ``pt`` — at the lowest temperature T_0: energy (⟨H⟩/N, mean of the two replica sets, error from the run's own
  τ_int), q2 (⟨q²⟩ of the two sets' overlap), the lowest energy per spin recorded, the smallest swap acceptance of
  the ladder and the total number of round trips;
* ``gd`` / ``anneal`` / ``langevin`` (p-spin) — the end points' energy per spin H/N (mean ± standard error over
  independent starts) and its spread (standard deviation over starts ± its standard error √(1/(2(n−1)))·sd),
  the lowest, the fraction of starts ending at a local minimum (index 0, binomial error), and the exact ABČ
  values e_ground = −E_0 and e_threshold = −E_∞.

``loss-band`` — for every width w: test_loss_w{w} (mean over starts ± standard error) and test_loss_sd_w{w}
(spread over starts ± its standard error).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn import stats
from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def _require(run: Run, study: str, names: tuple[str, ...]) -> None:
    if run.study != study:
        raise FormatError(f"{run.path}: a '{run.study}' run, not '{study}'")
    missing = [n for n in names if n not in run.results]
    if missing:
        raise FormatError(f"{run.path}: no /results/{missing[0]} (the run has not finished any unit of work)")


def spread(values) -> tuple[Estimate, Estimate]:
    """(mean ± standard error, standard deviation ± its standard error sd/√(2(n−1))) over independent samples."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = x.size
    if n < 2:
        value = float(x[0]) if n else math.nan
        return Estimate(value, math.nan, math.nan, n), Estimate(math.nan, math.nan, math.nan, n)
    sd = float(x.std(ddof=1))
    return (Estimate(float(x.mean()), sd / math.sqrt(n), math.nan, n),
            Estimate(sd, sd / math.sqrt(2.0 * (n - 1)), math.nan, n))


def fraction(flags) -> Estimate:
    """Fraction of true flags ± the binomial error √(f(1−f)/n)."""
    x = np.asarray(flags, dtype=bool)
    f = float(x.mean())
    return Estimate(f, math.sqrt(f * (1.0 - f) / x.size), math.nan, int(x.size))


def _exact_summary(run: Run) -> dict[str, Estimate]:
    _require(run, "spinglass", ("ground_energy", "energy_mean", "log_z"))
    r = run.results
    out = {name: Estimate.exact(float(r[name])) for name in ("ground_energy", "energy_mean", "log_z",
                                                              "specific_heat")}
    if "q2" in r:
        out["q2"] = Estimate.exact(float(r["q2"]))
    return out


def _pt_summary(run: Run) -> dict[str, Estimate]:
    _require(run, "spinglass", ("temperatures", "swap_acceptance", "round_trips"))
    energy, overlap = run["energy"], run["overlap"]
    if len(energy) < 2:
        raise FormatError(f"{run.path}: fewer than two measured rows")
    r = run.results
    return {"energy": stats.mean(energy[:, :, 0].mean(axis=1)), "q2": stats.mean(overlap[:, 0] ** 2),
            "lowest_energy": Estimate.exact(float(energy.min())),
            "swap_acceptance_min": Estimate.exact(float(np.min(r["swap_acceptance"]))),
            "round_trips": Estimate.exact(float(np.sum(r["round_trips"])))}


def _sphere_summary(run: Run) -> dict[str, Estimate]:
    _require(run, "spinglass", ("minima_energy", "hessian_index", "e_ground", "e_threshold"))
    r = run.results
    mean, sd = spread(r["minima_energy"])
    return {"minima_energy": mean, "minima_energy_sd": sd,
            "lowest_minimum": Estimate.exact(float(np.min(r["minima_energy"]))),
            "minimum_fraction": fraction(np.asarray(r["hessian_index"]) == 0),
            "e_ground": Estimate.exact(float(r["e_ground"])), "e_threshold": Estimate.exact(float(r["e_threshold"]))}


def analyze(run: Run) -> dict[str, Estimate]:
    """The estimates of a ``spinglass`` run (module docstring), by its algorithm."""
    algorithm = str(run.parameters.get("algorithm", ""))
    if run.study == "spinglass" and algorithm == "exact":
        return _exact_summary(run)
    if run.study == "spinglass" and algorithm == "pt":
        return _pt_summary(run)
    return _sphere_summary(run)


def analyze_loss_band(run: Run) -> dict[str, Estimate]:
    """The estimates of a ``loss-band`` run (module docstring)."""
    _require(run, "loss-band", ("widths", "test_loss"))
    out = {}
    for w, losses in zip(run.results["widths"], run.results["test_loss"]):
        out[f"test_loss_w{w}"], out[f"test_loss_sd_w{w}"] = spread(losses)
    return out
