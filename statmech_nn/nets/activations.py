"""Vectorised activations φ, φ', φ'' for trainable networks (numpy arrays in, arrays out).

Names and conventions are those of :mod:`statmech_nn.meanfield.activations` (whose scalar cfuncs serve the
Gaussian integrals), so a network trained here and a mean-field prediction mean the same φ:

* ``tanh``; ``relu`` φ = max(u, 0) and ``hard-tanh`` φ = clip(u, −1, 1) (φ'' = 0 away from the kinks, so
  Hessians are exact almost everywhere); ``linear``; ``sigmoid`` φ = 1/(1 + e^{−u}); ``erf`` φ = erf(√π u/2)
  (slope 1 at 0, like tanh; Williams 1998) and ``erf-plain`` φ = erf(u) (Lee et al. 2018).
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
from scipy.special import erf as _erf_fn
from scipy.special import expit

_A_ERF = math.sqrt(math.pi) / 2.0
Array = np.ndarray


class Elementwise(NamedTuple):
    """φ with its first two derivatives, each a numpy ufunc-like map of arrays."""

    phi: Callable[[Array], Array]
    dphi: Callable[[Array], Array]
    d2phi: Callable[[Array], Array]


def _sigmoid_d1(u):
    s = expit(u)
    return s * (1.0 - s)


def _sigmoid_d2(u):
    s = expit(u)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


ACTIVATIONS: dict[str, Elementwise] = {
    "tanh": Elementwise(np.tanh, lambda u: 1.0 - np.tanh(u) ** 2,
                        lambda u: -2.0 * np.tanh(u) * (1.0 - np.tanh(u) ** 2)),
    "relu": Elementwise(lambda u: np.maximum(u, 0.0), lambda u: (u > 0.0).astype(np.float64), np.zeros_like),
    "linear": Elementwise(lambda u: u, np.ones_like, np.zeros_like),
    "erf": Elementwise(lambda u: _erf_fn(_A_ERF * u), lambda u: np.exp(-_A_ERF**2 * u * u),
                       lambda u: -2.0 * _A_ERF**2 * u * np.exp(-_A_ERF**2 * u * u)),
    "erf-plain": Elementwise(_erf_fn, lambda u: (2.0 / math.sqrt(math.pi)) * np.exp(-u * u),
                             lambda u: (-4.0 / math.sqrt(math.pi)) * u * np.exp(-u * u)),
    "hard-tanh": Elementwise(lambda u: np.clip(u, -1.0, 1.0), lambda u: (np.abs(u) < 1.0).astype(np.float64),
                             np.zeros_like),
    "sigmoid": Elementwise(expit, _sigmoid_d1, _sigmoid_d2),
}
