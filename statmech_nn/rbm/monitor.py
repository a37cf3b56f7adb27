"""Quantities monitored while an RBM trains: the mean log-likelihood (exact or by AIS) and the reconstruction error.

    ⟨log p(v)⟩_data = -⟨F(v)⟩_data - log Z,

with log Z exact (:func:`statmech_nn.rbm.exact.log_partition`) when the smaller layer has at most
:data:`MAX_EXACT_LAYER` units and by forward AIS (:func:`statmech_nn.rbm.ais.ais`, from the base model with the
data's base rates) otherwise. AIS is biased low in log Z, so the AIS log-likelihood is biased *high*.
The reconstruction error is the mean squared difference between the data and one deterministic mean-field
up-down pass, v' = E[v | h = E[h | v]] — cheap and noise-free, but not a likelihood (Hinton 2010, §5).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from statmech_nn.models.rbm import RBM
from statmech_nn.rbm.ais import ais
from statmech_nn.rbm.data import base_rate_bias
from statmech_nn.rbm.exact import log_partition

#: Largest smaller layer for which the monitored log-likelihood is exact (2^20 free energies).
MAX_EXACT_LAYER = 20


@dataclass(frozen=True)
class LogLikelihood:
    value: float
    error: float    # one standard error of the AIS estimate; 0 when exact
    exact: bool


def is_exact(model: RBM) -> bool:
    """Whether :func:`log_likelihood` enumerates (smaller layer ≤ :data:`MAX_EXACT_LAYER`)."""
    return min(model.n_visible, model.n_hidden) <= MAX_EXACT_LAYER


def log_likelihood(model: RBM, data: np.ndarray, *, ais_betas: int = 1000, ais_chains: int = 100,
                   seed=0) -> LogLikelihood:
    """Mean log-likelihood of ``data`` (samples, n_visible) under ``model``; exact or AIS (see module notes)."""
    mean_free_energy = float(np.mean(model.free_energy(data)))
    if is_exact(model):
        return LogLikelihood(-mean_free_energy - log_partition(model), 0.0, True)
    est = ais(model, ais_betas, ais_chains, seed, base_visible_bias=base_rate_bias(data, model.units))
    return LogLikelihood(-mean_free_energy - est.log_z, est.log_z_err, False)


def _mean_unit(x: np.ndarray, spin: bool) -> np.ndarray:
    """E[unit | field x]: tanh(x) (spin) or σ(x) (binary)."""
    return np.tanh(x) if spin else 0.5 * (1.0 + np.tanh(0.5 * x))


def reconstruction_error(model: RBM, data: np.ndarray) -> float:
    """(1/(N n_visible)) Σ |v - v'|², v' = E[v | h̄], h̄ = E[h | v] (mean-field up-down pass)."""
    h = _mean_unit(data @ model.weights + model.hidden_bias, model.spin)
    v = _mean_unit(h @ model.weights.T + model.visible_bias, model.spin)
    return float(np.mean((data - v) ** 2))
