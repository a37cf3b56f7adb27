"""Estimates from an ``ising`` run: e, C, ⟨|m|⟩, χ, U4 with autocorrelation-corrected errors."""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run

from statmech_nn import stats
from statmech_nn.stats import Estimate

#: The summaries every Ising run (and every point of an Ising sweep) reports, in display order.
SUMMARIES = ("energy", "abs_magnetization", "magnetization", "specific_heat", "susceptibility", "binder")


def analyze(run: Run, discard: int = 0) -> dict[str, Estimate]:
    """Estimates from the rows of ``run`` after the first ``discard`` rows (burn-in is already excluded).

    energy = ⟨e⟩, abs_magnetization = ⟨|m|⟩, magnetization = ⟨m⟩, specific_heat = β²N Var(e),
    susceptibility = βN (⟨m²⟩ − ⟨|m|⟩²), binder = 1 − ⟨m⁴⟩/(3⟨m²⟩²); N = L², β = 1/T.
    """
    e = run["energy"][discard:]
    m = run["magnetization"][discard:]
    if len(e) < 2:
        raise FormatError(f"{run.path}: {len(e)} rows; at least 2 are needed for estimates")
    p = run.parameters
    beta, n_spins = 1.0 / p["T"], int(p["L"]) ** 2
    return {
        "energy": stats.mean(e),
        "abs_magnetization": stats.mean(np.abs(m)),
        "magnetization": stats.mean(m),
        "specific_heat": stats.specific_heat(e, beta, n_spins),
        "susceptibility": stats.susceptibility(m, beta, n_spins),
        "binder": stats.binder(m),
    }
