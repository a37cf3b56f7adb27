"""Recorded block Gibbs sampling: the chains' configurations after every step, for time-series analysis.

:func:`gibbs_trace` advances chains exactly as :func:`statmech_nn.samplers.rbm_gibbs.gibbs` does (same steps, same
per-chain xoshiro256** streams, so the two agree bit for bit) but keeps every intermediate visible state, in one
kernel call per block of steps instead of one call per step.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from statmech_nn.models.rbm import RBM
from statmech_nn.samplers.rbm_gibbs import _gibbs_step, _positive_int, check_chains


@njit(cache=True, parallel=True)
def gibbs_trace_kernel(W, a, b, visible, rng, spin, trace, flips):
    """trace.shape[0] Gibbs steps at β = 1 of every chain; trace[t, c] is chain c after step t + 1 and
    flips[t, c] the number of visible units that step changed."""
    n_h = W.shape[1]
    for c in prange(visible.shape[0]):
        field = np.empty(n_h)
        h = np.empty(n_h)
        v = visible[c]
        for t in range(trace.shape[0]):
            flips[t, c] = _gibbs_step(W, a, b, 1.0, v, field, h, rng[c], spin)
            for i in range(v.shape[0]):
                trace[t, c, i] = v[i]


def gibbs_trace(model: RBM, chains: dict[str, np.ndarray], n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Advance ``chains`` (``{"visible", "rng"}`` of :func:`~statmech_nn.samplers.rbm_gibbs.init_chains`) by
    ``n_steps`` steps in place; returns the configurations int8 (n_steps, chains, n_visible) and the visible-unit
    changes int64 (n_steps, chains) of every step."""
    check_chains(model, chains["visible"], chains["rng"])
    n_steps = _positive_int("n_steps", n_steps, 0)
    trace = np.empty((n_steps, *chains["visible"].shape), np.int8)
    flips = np.empty((n_steps, chains["visible"].shape[0]), np.int64)
    gibbs_trace_kernel(model.weights, model.visible_bias, model.hidden_bias, chains["visible"], chains["rng"],
                       model.spin, trace, flips)
    return trace, flips
