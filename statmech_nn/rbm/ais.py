"""Annealed importance sampling of log Z (Neal 2001; for RBMs Salakhutdinov & Murray 2008).

The path runs from the base model A (W = 0, visible biases a_A, hidden biases 0) to the RBM B through

    log p*_β(v) = ((1-β) a_A + β a)ᵀv + Σ_j φ(β (b_j + (vᵀW)_j)),     0 = β_0 < β_1 < … < β_K = 1,

i.e. the RBM with weights βW, hidden biases βb and interpolated visible biases, so that Gibbs steps at β_k
leave p_β_k invariant, and log Z_A = Σ_i φ(a_A,i) + n_hidden log 2 in both unit conventions. A chain starts
from an exact draw of A and carries log w = Σ_k [log p*_β_k(v_k) - log p*_β_{k-1}(v_k)], with v_k from one
Gibbs step at β_{k-1} applied to v_{k-1}; E[w] = Z_B / Z_A, so

    log Ẑ_B = log Z_A + log mean(w),     δ(log Ẑ_B) ≈ std(w) / (√N mean(w))     (delta method).

By Jensen's inequality E[log Ẑ_B] ≤ log Z_B: AIS is biased low, more so with few β or missed modes, and the
error bar does not show it. Reverse AIS runs the same path from B back to A; started from exact samples of B
it estimates Z_A / Z_B and so gives log Z_B biased *high* (Burda, Grosse & Salakhutdinov 2015; Grosse,
Ghahramani & Adams 2015): the two bracket log Z. Started from data instead, the reverse estimate has no
guaranteed direction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, phi, phi_numpy
from statmech_nn.rng import xoshiro256_states
from statmech_nn.samplers.rbm_gibbs import draw_unit, hidden_field, sample_visible


@njit(cache=True)
def _log_unnormalized(field, v, a, a_base, beta, spin):
    out = 0.0
    for i in range(v.shape[0]):
        out += ((1.0 - beta) * a_base[i] + beta * a[i]) * v[i]
    for j in range(field.shape[0]):
        out += phi(beta * field[j], spin)
    return out


@njit(cache=True, parallel=True)
def ais_kernel(W, a, b, a_base, betas, visible, rng, draw_start, spin, log_w):
    """One annealing run per chain along ``betas`` (either direction); ``visible`` holds each chain's start
    (drawn from the base model first if ``draw_start``) and ends with its last state; log weights to ``log_w``."""
    n_v, n_h = W.shape
    for c in prange(visible.shape[0]):
        s = rng[c]
        v = visible[c]
        field = np.empty(n_h)
        h = np.empty(n_h)
        a_eff = np.empty(n_v)
        if draw_start:
            for i in range(n_v):
                v[i] = draw_unit(a_base[i], s, spin)
        hidden_field(W, b, v, field)
        previous = _log_unnormalized(field, v, a, a_base, betas[0], spin)
        total = 0.0
        for k in range(1, betas.shape[0]):
            beta = betas[k]
            total += _log_unnormalized(field, v, a, a_base, beta, spin) - previous
            if k == betas.shape[0] - 1:
                break
            for j in range(n_h):
                h[j] = draw_unit(beta * field[j], s, spin)
            for i in range(n_v):
                a_eff[i] = (1.0 - beta) * a_base[i] + beta * a[i]
            sample_visible(W, a_eff, beta, h, v, s, spin)
            hidden_field(W, b, v, field)
            previous = _log_unnormalized(field, v, a, a_base, beta, spin)
        log_w[c] = total


@dataclass(frozen=True, eq=False)
class AISResult:
    """An AIS estimate: ``log_z`` ± ``log_z_err`` (one standard error, delta method), the effective sample
    size ``ess`` = (Σw)² / Σw², the chains' ``log_weights`` and the base model's exact ``log_z_base``."""

    log_z: float
    log_z_err: float
    ess: float
    log_weights: np.ndarray
    log_z_base: float


def schedule(betas) -> np.ndarray:
    """An annealing schedule: an int K ≥ 2 gives K equally spaced β from 0 to 1; otherwise an increasing
    array of finite β from 0 to 1."""
    if isinstance(betas, (int, np.integer)) and not isinstance(betas, bool):
        if betas < 2:
            raise ParameterError("betas", betas, "an integer >= 2 or an increasing array from 0 to 1")
        x = np.linspace(0.0, 1.0, int(betas))
    else:
        x = np.array(betas, dtype=np.float64).ravel()
        if x.size < 2 or not np.isfinite(x).all() or x[0] != 0.0 or x[-1] != 1.0 or np.any(np.diff(x) <= 0.0):
            raise ParameterError("betas", betas, "an integer >= 2 or an increasing array from 0 to 1")
    x.setflags(write=False)
    return x


def _base(model: RBM, base_visible_bias) -> tuple[np.ndarray, float]:
    if base_visible_bias is None:
        a_base = np.zeros(model.n_visible)
    else:
        a_base = np.array(base_visible_bias, dtype=np.float64)
        if a_base.shape != (model.n_visible,) or not np.isfinite(a_base).all():
            raise ParameterError("base_visible_bias", f"array of shape {a_base.shape}",
                                 f"finite numbers, shape ({model.n_visible},)")
    a_base.setflags(write=False)
    log_z_base = float(phi_numpy(a_base, model.units).sum()) + model.n_hidden * math.log(2.0)
    return a_base, log_z_base


def _log_mean_exp(x: np.ndarray) -> tuple[float, float, float]:
    """(log mean eˣ, std of log mean eˣ by the delta method, ESS)."""
    w = np.exp(x - x.max())
    mean = w.mean()
    err = w.std(ddof=1) / (math.sqrt(x.size) * mean) if x.size > 1 else math.inf
    return float(x.max() + math.log(mean)), float(err), float(w.sum() ** 2 / np.sum(w**2))


def _run(model, betas, visible, rng, draw_start, a_base) -> np.ndarray:
    log_w = np.empty(visible.shape[0])
    ais_kernel(model.weights, model.visible_bias, model.hidden_bias, a_base, betas, visible, rng,
               draw_start, model.spin, log_w)
    return log_w


def ais(model: RBM, betas, n_chains: int, seed, base_visible_bias=None) -> AISResult:
    """Forward AIS estimate of log Z with ``n_chains`` chains from the base model with visible biases
    ``base_visible_bias`` (default 0: uniform; :func:`~statmech_nn.rbm.data.base_rate_bias` of the data is
    usually better) to ``model`` along ``betas`` (see :func:`schedule`). Biased low; see the module notes."""
    betas = schedule(betas)
    if isinstance(n_chains, bool) or not isinstance(n_chains, (int, np.integer)) or n_chains < 2:
        raise ParameterError("n_chains", n_chains, "an integer >= 2")
    a_base, log_z_base = _base(model, base_visible_bias)
    visible = np.empty((int(n_chains), model.n_visible))
    log_w = _run(model, betas, visible, xoshiro256_states(seed, int(n_chains), 3), True, a_base)
    log_mean, err, ess = _log_mean_exp(log_w)
    return AISResult(log_z_base + log_mean, err, ess, log_w, log_z_base)


def reverse_ais(model: RBM, betas, visible, seed, base_visible_bias=None) -> AISResult:
    """Reverse AIS from the configurations ``visible`` (chains, n_visible), annealing β from 1 to 0:
    log Ẑ_B = log Z_A - log mean(w). From exact samples of ``model`` it is biased high."""
    betas = schedule(betas)[::-1].copy()
    betas.setflags(write=False)
    a_base, log_z_base = _base(model, base_visible_bias)
    visible = np.array(model.states(visible, model.n_visible, "visible"), order="C")
    if visible.ndim != 2 or visible.shape[0] < 2:
        raise ParameterError("visible", f"array of shape {visible.shape}",
                             "at least 2 configurations (chains, n_visible)")
    log_w = _run(model, betas, visible, xoshiro256_states(seed, visible.shape[0], 4), False, a_base)
    log_mean, err, ess = _log_mean_exp(log_w)
    return AISResult(log_z_base - log_mean, err, ess, log_w, log_z_base)
