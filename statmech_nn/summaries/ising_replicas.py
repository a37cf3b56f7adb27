"""Estimates from a ``multispin`` ``ising`` run: the same summaries as :mod:`statmech_nn.summaries.ising`, from 64
independent replicas.

Every estimate pools all replicas and rows (moments over replicas × rows); its error is the jackknife over replicas
(delete one replica at a time, Efron 1982). The replicas are independent chains, so this error needs no model of
the autocorrelation: each replica's time average already carries it. ``tau`` is the mean over replicas of the
series' τ_int (Sokal's window), for information.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from statmech_nn import stats
from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.stats import Estimate


def _pooled(fn, *series) -> Estimate:
    """fn(pooled means of the (rows, replicas) ``series``) with the replica-jackknife error."""
    rows, replicas = series[0].shape
    flat = [np.ascontiguousarray(s.T).ravel() for s in series]  # replica-major: one jackknife block per replica
    estimate = stats.jackknife(fn, *flat, block=rows)
    tau = float(np.mean([stats.tau_int(s[:, r])[0] for s in series for r in range(replicas)]))
    return dataclasses.replace(estimate, tau=tau)


def analyze_replicas(run: Run, discard: int = 0) -> dict[str, Estimate]:
    """energy = ⟨e⟩, abs_magnetization = ⟨|m|⟩, magnetization = ⟨m⟩, specific_heat = β²N (⟨e²⟩ − ⟨e⟩²),
    susceptibility = βN (⟨m²⟩ − ⟨|m|⟩²), binder = 1 − ⟨m⁴⟩/(3⟨m²⟩²); ⟨·⟩ over every replica and row after the
    first ``discard`` rows, N = L², β = 1/T."""
    e = np.asarray(run["energy"][discard:], dtype=np.float64)
    m = np.asarray(run["magnetization"][discard:], dtype=np.float64)
    if e.ndim != 2 or len(e) < 2:
        raise FormatError(f"{run.path}: expected (rows, replicas) observables with at least 2 rows")
    p = run.parameters
    beta, n_spins = 1.0 / p["T"], int(p["L"]) ** 2
    a = np.abs(m)
    de = e - e.mean()  # variances are shift-invariant; centring avoids cancellation
    da = a - a.mean()
    m2 = m * m
    return {
        "energy": _pooled(lambda x: x, e),
        "abs_magnetization": _pooled(lambda x: x, a),
        "magnetization": _pooled(lambda x: x, m),
        "specific_heat": _pooled(lambda x1, x2: beta**2 * n_spins * (x2 - x1 * x1), de, de * de),
        "susceptibility": _pooled(lambda x1, x2: beta * n_spins * (x2 - x1 * x1), da, da * da),
        "binder": _pooled(lambda y2, y4: 1.0 - y4 / (3.0 * y2 * y2) if y2 > 0 else math.nan, m2, m2 * m2),
    }
