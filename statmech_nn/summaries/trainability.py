"""Summaries of a ``trainability`` run: the deepest trainable depth per σ_w² against Schoenholz et al.'s (2017)
correlation depth scale ξ_c = −1/ln χ_c (mean field, :func:`statmech_nn.meanfield.fixed_point`).

A network is *trained* when its training accuracy reached the run's ``target`` (default 0.9) within its step
budget. For network k at σ_w², D_k is the largest depth of the grid at which it trained (0 if none). Names carry
``_sw<σ_w²>``:

* ``max_depth`` — mean of D_k over networks, error: their standard deviation / √networks (the seed spread; nan for
  one network). D_k is a lower bound: the true limit lies between D_k and the next depth of the grid.
* ``xi_c`` — the mean-field ξ_c (exact, error 0); ``max_depth_over_xi_c`` — ``max_depth`` / ξ_c (Schoenholz et al.:
  ≈ 6 after long training).
* ``trained_fraction`` — the fraction of all (depth, network) cells at this σ_w² that trained.

and, over the σ_w² axis,

* ``depth_constant`` — the constant a of "trainable up to a ξ_c" that the data support, over the σ_w² whose limit
  the depth grid resolves (every network trained at some depth, none at the deepest): network k's limit lies in
  [D_k, D_k⁺) (D_k⁺ the next depth of the grid), estimated by the geometric midpoint √(D_k D_k⁺); a is the mean
  over those σ_w² of (mean over networks of the midpoint) / ξ_c, error: the seed spread propagated (the bracket
  itself, a factor √(D⁺/D) either way, is not included); ``depth_constant_ordered``, ``depth_constant_chaotic`` —
  the same over σ_w² below / above σ_w²,c(σ_b²) (each only when some σ_w² is resolved);
* ``deepest_sigma_w2``: the σ_w² values with the largest ``max_depth`` form a plateau
[lo, hi] (one value when the depth grid resolves the optimum); value (lo + hi)/2, error (hi − lo)/2. The paper
puts it at the critical σ_w²,c (1.76 at σ_b² = 0.05).
"""
from __future__ import annotations

import math

import numpy as np

from statmech_nn.errors import FormatError
from statmech_nn.io.runfile import Run
from statmech_nn.meanfield import fixed_point, sigma_w2_critical
from statmech_nn.stats import Estimate

def label(sigma_w2: float) -> str:
    return f"_sw{sigma_w2:g}"


def grid(run: Run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(σ_w² values, depths, trained) with trained (σ_w², depth, network) boolean, from the cells done so far
    (cells not yet run count as untrained)."""
    p = run.parameters
    sw2s, depths = np.atleast_1d(p["sigma_w2"]).astype(float), np.atleast_1d(p["depth"]).astype(int)
    trained = np.zeros((sw2s.size, depths.size, int(p["networks"])), dtype=bool)
    if "accuracy" in run.observables and len(run.observables["accuracy"]):
        cells = run.observables["accuracy"].step
        flat = trained.reshape(-1, trained.shape[-1])
        flat[cells] = run["accuracy"] >= float(p["target"])
    return sw2s, depths, trained


def max_depths(depths: np.ndarray, trained: np.ndarray) -> np.ndarray:
    """D_k per (σ_w², network): the largest depth at which network k trained, 0 if none."""
    return np.max(np.where(trained, depths[None, :, None], 0), axis=1)


def plateau(sw2s: np.ndarray, depth: np.ndarray) -> tuple[float, float]:
    """[lo, hi] of the σ_w² values at which ``depth`` (one per σ_w²) is largest."""
    top = sw2s[depth == depth.max()]
    return float(top.min()), float(top.max())


def bracket_midpoints(depths: np.ndarray, deepest: np.ndarray) -> np.ndarray:
    """√(D D⁺) for each deepest trained depth D of the grid ``depths`` (D⁺ the next depth; D < the last depth)."""
    ordered = np.sort(depths)
    upper = ordered[np.minimum(np.searchsorted(ordered, deepest, side="right"), ordered.size - 1)]
    return np.sqrt(deepest * upper)


def constant(ratios: np.ndarray) -> Estimate:
    """Mean over σ_w² of (networks, ) arrays of midpoint / ξ_c; error: the seed spread propagated."""
    means = ratios.mean(axis=1)
    n = ratios.shape[1]
    sem2 = ratios.var(axis=1, ddof=1) / n if n > 1 else np.full(means.size, math.nan)
    return Estimate(float(means.mean()), float(math.sqrt(sem2.sum()) / means.size), math.nan, ratios.size)


def analyze(run: Run) -> dict[str, Estimate]:
    """The module docstring's summaries."""
    if run.study != "trainability":
        raise FormatError(f"{run.path}: a '{run.study}' run, not 'trainability'")
    sw2s, depths, trained = grid(run)
    d = max_depths(depths, trained).astype(float)
    n = d.shape[1]
    sigma_b2 = float(run.parameters["sigma_b2"])
    out: dict[str, Estimate] = {}
    mean = d.mean(axis=1)
    for i, sw2 in enumerate(sw2s):
        s = label(float(sw2))
        error = float(d[i].std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        xi_c = fixed_point("tanh", float(sw2), sigma_b2).xi_c
        out[f"max_depth{s}"] = Estimate(float(mean[i]), error, math.nan, n)
        out[f"xi_c{s}"] = Estimate.exact(xi_c)
        out[f"max_depth_over_xi_c{s}"] = Estimate(float(mean[i] / xi_c), error / xi_c, math.nan, n)
        out[f"trained_fraction{s}"] = Estimate(float(trained[i].mean()), math.nan, math.nan, trained[i].size)
    resolved = np.all((d > 0) & (d < depths.max()), axis=1)
    xi = np.array([out[f"xi_c{label(float(v))}"].value for v in sw2s])
    ratio = bracket_midpoints(depths, d) / xi[:, None]
    critical = sigma_w2_critical("tanh", sigma_b2)
    for name, side in (("", resolved), ("_ordered", resolved & (sw2s < critical)),
                       ("_chaotic", resolved & (sw2s > critical))):
        if side.any():
            out[f"depth_constant{name}"] = constant(ratio[side])
    lo, hi = plateau(sw2s, mean)
    out["deepest_sigma_w2"] = Estimate(0.5 * (lo + hi), 0.5 * (hi - lo), math.nan, n)
    return out
