"""Finite-width plain and residual random networks with backpropagation: the sampled counterpart of
:mod:`statmech_nn.meanfield.residual` and :mod:`statmech_nn.meanfield.gradients`.

Architectures (width N; W, V have i.i.d. N(0, σ²/N) entries, b, a i.i.d. N(0, σ²); Yang & Schoenholz 2017):

* ``plain``    h^l = W^l φ(h^{l−1}) + b^l                                  (exactly :mod:`.deepnet`'s network)
* ``reduced``  x^l = x^{l−1} + W^l φ(x^{l−1}) + b^l                        (σ_w², σ_b²)
* ``full``     h^l = W^l x^{l−1} + b^l,  x^l = x^{l−1} + V^l φ(h^l) + a^l   (σ_w², σ_b², σ_v², σ_a²)

The state of layer l is h^l (plain) or x^l (residual); layer 0 is the input. Layer l of network k draws from
``deepnet.stream(seed, k, l)`` with ``deepnet.draw_layer`` (full: W, b then V, a from the same stream), so the plain
network is bit-identical to deepnet's gaussian network of the same seed.

Backpropagation of an output gradient g = ∂E/∂(state^L) (``backprop_norms``):

    plain    δ^{l−1} = φ'(h^{l−1}) ⊙ W^lᵀ δ^l
    reduced  δ^{l−1} = δ^l + φ'(x^{l−1}) ⊙ W^lᵀ δ^l
    full     δ^{l−1} = δ^l + W^lᵀ (φ'(h^l) ⊙ V^lᵀ δ^l)
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from statmech_nn.errors import ParameterError
from statmech_nn.meanfield import activation
from statmech_nn.meanfield.nngp import activation_param

from . import deepnet

ARCHITECTURES = ("plain", "reduced", "full")


@njit(cache=True, nogil=True)
def _transpose_apply(w, scale, delta):
    """scale · wᵀ @ delta (delta: (N, m)), fixed summation order."""
    out = np.zeros((w.shape[1], delta.shape[1]))
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            for a in range(delta.shape[1]):
                out[j, a] += w[i, j] * delta[i, a]
    return scale * out


def check_architecture(architecture: str) -> str:
    if architecture not in ARCHITECTURES:
        raise ParameterError("architecture", architecture, ", ".join(ARCHITECTURES))
    return architecture


class SampledNetwork:
    """Network ``network`` of run ``seed``: ``forward(h0, depth)`` returns the states (depth + 1, N, m) and keeps
    what ``backprop`` needs."""

    def __init__(self, seed, network: int, phi, architecture: str, sigma_w2: float, sigma_b2: float,
                 sigma_v2: float = 1.0, sigma_a2: float = 0.0):
        self.seed, self.network, self.phi = seed, network, activation_param(phi)
        self.architecture = check_architecture(architecture)
        self.sw2, self.sb2, self.sv2, self.sa2 = sigma_w2, sigma_b2, sigma_v2, sigma_a2
        self.layers, self.states, self.hidden = [], [], []

    def _draw(self, layer: int, n: int):
        rng = deepnet.stream(self.seed, self.network, layer)
        first = deepnet.draw_layer(rng, n, self.sb2, "gaussian")
        second = deepnet.draw_layer(rng, n, self.sa2, "gaussian") if self.architecture == "full" else None
        return first, second

    def propagate(self, state: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray | None, tuple]:
        """(state^layer, hidden h^layer (full only, else None), the layer's draws) from state^{layer−1} (N, m)."""
        n = state.shape[0]
        first, second = self._draw(layer, n)
        scale_w = math.sqrt(self.sw2 / n)
        hidden = None
        if self.architecture == "plain":
            state = deepnet._gaussian_layer(self.phi.phi, first.gauss, scale_w, first.bias, state)
        elif self.architecture == "reduced":
            state = state + deepnet._gaussian_layer(self.phi.phi, first.gauss, scale_w, first.bias, state)
        else:
            hidden = deepnet._gaussian_layer(activation("linear").phi, first.gauss, scale_w, first.bias, state)
            state = state + deepnet._gaussian_layer(self.phi.phi, second.gauss, math.sqrt(self.sv2 / n),
                                                    second.bias, hidden)
        return state, hidden, (first, second)

    def forward(self, h0: np.ndarray, depth: int) -> np.ndarray:
        state = np.ascontiguousarray(h0, dtype=float)
        self.layers, self.states, self.hidden = [], [state], []
        for layer in range(1, depth + 1):
            state, hidden, draws = self.propagate(state, layer)
            if hidden is not None:
                self.hidden.append(hidden)
            self.layers.append(draws)
            self.states.append(state)
        return np.stack(self.states)

    def backprop(self, g: np.ndarray) -> np.ndarray:
        """δ^l for l = 0..depth (shape (depth + 1, N, m)) from δ^depth = ``g`` (N, m), after :meth:`forward`;
        column a of ``g`` belongs to input a (the first m inputs of the forward pass)."""
        n, m = g.shape
        scale_w, scale_v = math.sqrt(self.sw2 / n), math.sqrt(self.sv2 / n)
        dphi = self.phi.dphi
        deltas = [np.asarray(g, dtype=float)]
        delta = deltas[0]
        for layer in range(len(self.layers), 0, -1):
            first, second = self.layers[layer - 1]
            if self.architecture == "full":
                slope = deepnet.activate(dphi, self.hidden[layer - 1][:, :m])
                inner = slope * _transpose_apply(second.gauss, scale_v, delta)
                delta = delta + _transpose_apply(first.gauss, scale_w, inner)
            else:
                slope = deepnet.activate(dphi, self.states[layer - 1][:, :m])
                back = slope * _transpose_apply(first.gauss, scale_w, delta)
                delta = back if self.architecture == "plain" else delta + back
            deltas.append(delta)
        return np.stack(deltas[::-1])


def iid_input_pair(rng: np.random.Generator, width: int, q0: float, c0: float) -> np.ndarray:
    """(width, 2) pre-activations whose rows are i.i.d. N(0, q0 [[1, c0], [c0, 1]])."""
    z = rng.standard_normal((width, 2))
    return math.sqrt(q0) * np.stack([z[:, 0], c0 * z[:, 0] + math.sqrt(max(0.0, 1 - c0 * c0)) * z[:, 1]], axis=1)


def sample_network(seed, network: int, phi, architecture: str, sigma_w2: float, sigma_b2: float, q0: float, c0: float,
                   depth: int, width: int, sigma_v2: float = 1.0, sigma_a2: float = 0.0, gradients: bool = False,
                   iid_inputs: bool = False) -> dict:
    """Network ``network`` of :func:`sampled_curves`: ``q``, ``c`` (and ``grad``) as arrays (depth + 1,)."""
    net = SampledNetwork(seed, network, phi, architecture, sigma_w2, sigma_b2, sigma_v2, sigma_a2)
    rng = deepnet.stream(seed, network, 0)
    h0 = iid_input_pair(rng, width, q0, c0) if iid_inputs else deepnet.input_pair(rng, width, q0, c0)
    states = net.forward(h0, depth)
    q, c = np.array([deepnet.pair_statistics(state) for state in states]).T
    out = {"q": q, "c": c}
    if gradients:
        g = deepnet.stream(seed, network, depth + 1).standard_normal((width, 1))
        out["grad"] = np.sum(net.backprop(g)[:, :, 0] ** 2, axis=1) / width
    return out


def sampled_curves(phi, architecture: str, sigma_w2: float, sigma_b2: float, q0: float, c0: float, depth: int,
                   width: int, networks: int, seed, sigma_v2: float = 1.0, sigma_a2: float = 0.0,
                   gradients: bool = False, iid_inputs: bool = False) -> dict:
    """Per network and layer: ``q`` (|s_a|² + |s_b|²)/(2N) and ``c`` of the state pair, arrays (networks, depth + 1).
    Inputs from stream (k, 0): deepnet.input_pair (exact length and correlation), or with ``iid_inputs`` N i.i.d.
    Gaussian pairs of variance q0 and correlation c0 (:func:`iid_input_pair`, the convention of
    :mod:`statmech_nn.meanfield.finite_width`). With ``gradients``, also ``grad`` = |δ^l|²/N for
    an output gradient δ^depth with i.i.d. N(0, 1) entries (stream (k, depth + 1)) backpropagated from input a."""
    per = [sample_network(seed, k, phi, architecture, sigma_w2, sigma_b2, q0, c0, depth, width, sigma_v2, sigma_a2,
                          gradients, iid_inputs) for k in range(networks)]
    return {name: np.array([p[name] for p in per]).reshape(networks, depth + 1) for name in
            (("q", "c", "grad") if gradients else ("q", "c"))}
