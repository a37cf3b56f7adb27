"""Exact partition function and likelihoods of small RBMs by enumerating one layer.

log Z = log Σ_v e^{-F(v)} = log Σ_h e^{-F(h)}: summing out the other layer analytically leaves 2^n terms
for the enumerated layer of n units (the smaller one by default, n ≤ :data:`MAX_EXACT_UNITS`). The states
are visited in chunks of 2^10 in Gray-code order, so each step flips one unit and updates the other layer's
field in O(n_other); each chunk keeps a running (max, scaled sum) log-sum-exp. Chunks are fixed by the size
only and combined in index order, so the result does not depend on the number of threads.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from statmech_nn.errors import ParameterError
from statmech_nn.models.rbm import RBM, configurations, phi, states_of_index
from statmech_nn.rng import seed_sequence

#: Largest layer that :func:`log_partition` enumerates (2^30 free energies); tables stop at 2^24.
MAX_EXACT_UNITS = 30
MAX_TABLE_UNITS = 24
_CHUNK_BITS = 10


@njit(cache=True, parallel=True)
def _enumerate(W, c, d, spin, out):
    """log Σ_x exp(cᵀx + Σ_j φ(d_j + (xᵀW)_j)) over the 2^n states x of the n = W.shape[0] enumerated units;
    if ``out`` has 2^n slots, out[index] also receives each term's exponent (state bit i = unit i)."""
    n, m = W.shape
    low = min(n, _CHUNK_BITS)
    size = 1 << low
    n_chunks = 1 << (n - low)
    off = -1.0 if spin else 0.0
    step = 2.0 if spin else 1.0
    chunk_max = np.empty(n_chunks)
    chunk_sum = np.empty(n_chunks)
    write = out.shape[0] > 0
    for k in prange(n_chunks):
        x = np.empty(n)
        field = d.copy()
        linear = 0.0
        for i in range(n):
            x[i] = off + step * ((k >> (i - low)) & 1) if i >= low else off
            linear += c[i] * x[i]
            for j in range(m):
                field[j] += x[i] * W[i, j]
        top = -np.inf
        total = 0.0
        for g in range(size):
            if g > 0:
                i = 0
                while not (g >> i) & 1:  # Gray code: step g flips the lowest set bit of g
                    i += 1
                delta = -step if x[i] > off else step
                x[i] += delta
                linear += delta * c[i]
                for j in range(m):
                    field[j] += delta * W[i, j]
            value = linear
            for j in range(m):
                value += phi(field[j], spin)
            if write:
                out[(k << low) | (g ^ (g >> 1))] = value
            if value > top:
                total = total * math.exp(top - value) + 1.0
                top = value
            else:
                total += math.exp(value - top)
        chunk_max[k] = top
        chunk_sum[k] = total
    top = chunk_max.max()
    total = 0.0
    for k in range(n_chunks):
        total += chunk_sum[k] * math.exp(chunk_max[k] - top)
    return top + math.log(total)


def _layer(model: RBM, layer: str) -> RBM:
    """The model oriented so that the layer to enumerate is the visible one."""
    if layer == "auto":
        layer = "visible" if model.n_visible <= model.n_hidden else "hidden"
    if layer not in ("visible", "hidden"):
        raise ParameterError("layer", layer, "one of auto, visible, hidden")
    return model if layer == "visible" else model.transpose()


def log_partition(model: RBM, layer: str = "auto") -> float:
    """Exact log Z, enumerating ``layer`` ("visible", "hidden", or "auto": the smaller)."""
    m = _layer(model, layer)
    if m.n_visible > MAX_EXACT_UNITS:
        raise ParameterError("layer", f"{layer} with {m.n_visible} units", f"at most {MAX_EXACT_UNITS} units")
    return float(_enumerate(m.weights, m.visible_bias, m.hidden_bias, model.spin, np.empty(0)))


def visible_log_probabilities(model: RBM) -> np.ndarray:
    """log p(v) of all 2^n_visible configurations; entry r is v = ``states_of_index(r, n_visible)``."""
    if model.n_visible > MAX_TABLE_UNITS:
        raise ParameterError("n_visible", model.n_visible, f"at most {MAX_TABLE_UNITS} for a table of p(v)")
    table = np.empty(2**model.n_visible)
    return table - _enumerate(model.weights, model.visible_bias, model.hidden_bias, model.spin, table)


def log_probability(model: RBM, v, log_z: float | None = None) -> np.ndarray:
    """log p(v) = -F(v) - log Z for configurations ``v`` (..., n_visible); log Z exact unless given."""
    return -model.free_energy(v) - (log_partition(model) if log_z is None else log_z)


def mean_log_likelihood(model: RBM, data) -> float:
    """(1/N) Σ_n log p(v_n) of a data set (N, n_visible), exact."""
    data = np.asarray(data)
    if data.ndim != 2 or data.shape[0] == 0:
        raise ParameterError("data", f"array of shape {data.shape}", "a non-empty 2-D array (samples, n_visible)")
    return float(np.mean(log_probability(model, data)))


def exact_samples(model: RBM, n_samples: int, seed) -> np.ndarray:
    """``n_samples`` independent visible configurations drawn from the exact p(v) (float, (n_samples, n_visible))."""
    p = np.exp(visible_log_probabilities(model))
    index = np.random.default_rng(seed_sequence(seed, 2)).choice(p.size, size=n_samples, p=p / p.sum())
    return states_of_index(index, model.n_visible, model.units)


def visible_averages(model: RBM) -> dict[str, float]:
    """Exact ⟨F(v)⟩ and ⟨(1/n) Σ_i v_i⟩ under p(v), by enumerating the visible layer."""
    p = np.exp(visible_log_probabilities(model))
    v = configurations(model.n_visible, model.units)
    return {"free_energy": float(p @ model.free_energy(v)), "magnetization": float(p @ v.mean(axis=1))}


def replica_moments(model: RBM) -> dict[str, float]:
    """Exact thermal averages at β = 1: ⟨|m|⟩, ⟨|q|⟩, ⟨q²⟩, ⟨q⁴⟩ of each layer (suffix ``_v``, ``_h``; two
    independent replicas, P(q) = Σ p(x) p(x') δ(q − x·x'/n)) and the energy ⟨E⟩ (``energy``, not rescaled),
    by enumerating both layers in turn."""
    out = {}
    for layer, m in (("v", model), ("h", model.transpose())):
        p = np.exp(visible_log_probabilities(m))
        x = configurations(m.n_visible, m.units)
        q = x @ x.T / m.n_visible
        out[f"abs_m_{layer}"] = float(p @ np.abs(x.mean(axis=1)))
        for name, f in ((f"abs_q_{layer}", np.abs(q)), (f"q2_{layer}", q**2), (f"q4_{layer}", q**4)):
            out[name] = float(p @ f @ p)
        if layer == "v":
            field = x @ m.weights + m.hidden_bias
            mean_h = np.tanh(field) if m.spin else 1.0 / (1.0 + np.exp(-field))
            out["energy"] = float(p @ (-(x @ m.visible_bias) - np.sum(field * mean_h, axis=1)))
    return out
