"""Fully connected networks over ONE flat float64 parameter vector, with exact curvature.

Network (rows are samples): h_0 = x, a_l = h_{l−1} W_l + b_l, h_l = φ(a_l) for the hidden layers l < L, and a
linear read-out f = a_L. ``sizes = (d_0, d_1, …, d_L)``.

Parameter layout: θ = [W_1 (d_0×d_1, row-major), b_1 (d_1), W_2, b_2, …, W_L, b_L], so θ has
Σ_l (d_{l−1} + 1) d_l entries and :meth:`MLP.layers` returns numpy *views* into it (writing a view writes θ).
Initialisation as the deep-net module (:mod:`statmech_nn.models.deepnet`): W_ij ~ N(0, σ_w²/d_{l−1}) (fan-in),
b_i ~ N(0, σ_b²).

:class:`Objective` = (network, loss, data, weight decay) is the function L(θ) every study differentiates:

* gradient: backpropagation (Rumelhart, Hinton & Williams 1986);
* Hessian-vector product Hv = d/dε ∇L(θ + εv)|_0, exact, by the R-operator R{·} = d/dε(·)|_0 pushed forward
  through the network and then back through the backward pass (Pearlmutter, Neural Comput. 6, 147 (1994)):
      R{a_l} = R{h_{l−1}} W_l + h_{l−1} V_l + v_{b,l},   R{h_l} = φ'(a_l) ⊙ R{a_l},
      R{δ_L} = (∂²L/∂f²) R{f},
      R{δ_{l−1}} = [R{δ_l} W_lᵀ + δ_l V_lᵀ] ⊙ φ'(a_{l−1}) + (δ_l W_lᵀ) ⊙ φ''(a_{l−1}) ⊙ R{a_{l−1}},
      R{∂L/∂W_l} = R{h_{l−1}}ᵀ δ_l + h_{l−1}ᵀ R{δ_l},   R{∂L/∂b_l} = Σ_samples R{δ_l};
* Gauss–Newton product Gv = Jᵀ (∂²L/∂f²) J v (J = ∂f/∂θ; Schraudolph 2002): the same passes without the terms
  that differentiate φ' and W in the backward pass. H = G + Σ_i (∂L/∂f_i) ∇²f_i, so G = H where the residuals
  ∂L/∂f vanish.
* exact matrices H and G (P × P) by products against blocks of unit vectors, all directions of a block pushed
  through the network at once as batched matrix products.

Several directions are handled together: every curvature method accepts v of shape (P,) or (m, P).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from statmech_nn.errors import ParameterError
from statmech_nn.rng import seed_sequence

from .activations import ACTIVATIONS
from .losses import LOSSES, L2


@dataclass(frozen=True)
class MLP:
    """A fully connected network with widths ``sizes`` and hidden activation ``activation`` (``ACTIVATIONS``)."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    offsets: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self):
        sizes = tuple(int(s) for s in self.sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ParameterError("sizes", self.sizes, "at least two positive layer widths (input, ..., output)")
        if self.activation not in ACTIVATIONS:
            raise ParameterError("activation", self.activation, ", ".join(ACTIVATIONS))
        offsets = [0]
        for a, b in zip(sizes[:-1], sizes[1:]):
            offsets.append(offsets[-1] + (a + 1) * b)
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "offsets", tuple(offsets))

    @property
    def n_params(self) -> int:
        return self.offsets[-1]

    @property
    def depth(self) -> int:
        """The number of weight layers L."""
        return len(self.sizes) - 1

    def layers(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W_l, b_l)] as views into ``theta`` (P,), or with a leading axis for ``theta`` of shape (m, P):
        W_l (…, d_{l−1}, d_l), b_l (…, d_l)."""
        if theta.shape[-1] != self.n_params:
            raise ParameterError("theta", theta.shape, f"last axis of length n_params = {self.n_params}")
        lead = theta.shape[:-1]
        out = []
        for l, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            start = self.offsets[l]
            out.append((theta[..., start:start + a * b].reshape(*lead, a, b),
                        theta[..., start + a * b:start + (a + 1) * b]))
        return out

    def init(self, seed, sigma_w2: float = 1.0, sigma_b2: float = 0.0) -> np.ndarray:
        """θ with W ~ N(0, σ_w²/fan_in) and b ~ N(0, σ_b²); ``seed`` an int or SeedSequence (layer l drawn from
        the stream keyed by l, so a layer's numbers do not depend on the other layers' sizes)."""
        theta = np.empty(self.n_params)
        for l, (w, b) in enumerate(self.layers(theta)):
            gen = np.random.Generator(np.random.PCG64(seed_sequence(seed, l)))
            w[...] = gen.standard_normal(w.shape) * math.sqrt(sigma_w2 / w.shape[0])
            b[...] = gen.standard_normal(b.shape) * math.sqrt(sigma_b2)
        return theta

    def forward(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The outputs f (n, d_L) for inputs ``x`` (n, d_0)."""
        return self._forward(theta, x)[0][-1]

    def representations(self, theta: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
        """[h_1, …, h_{L−1}, f]: every hidden layer's activations (n, d_l) and the outputs, e.g. the T_l of an
        information-plane analysis."""
        phi = ACTIVATIONS[self.activation].phi
        pre = self._forward(theta, x)[0]
        return [phi(a) for a in pre[:-1]] + [pre[-1]]

    def _forward(self, theta, x):
        """Pre-activations [a_1 … a_L] and layer inputs [h_0 … h_{L−1}]."""
        phi = ACTIVATIONS[self.activation].phi
        pre, inputs, h = [], [], np.asarray(x, dtype=np.float64)
        layers = self.layers(theta)
        for l, (w, b) in enumerate(layers):
            inputs.append(h)
            pre.append(h @ w + b)
            if l < len(layers) - 1:
                h = phi(pre[-1])
        return pre, inputs

    def vjp(self, theta: np.ndarray, x: np.ndarray, cotangent: np.ndarray) -> np.ndarray:
        """Jᵀ c = Σ_i c_i · ∂f_i/∂θ (backpropagation) for an output cotangent ``cotangent`` (n, d_L)."""
        pre, inputs = self._forward(theta, x)
        return self._backward(theta, pre, inputs, cotangent)

    def _backward(self, theta, pre, inputs, delta):
        dphi = ACTIVATIONS[self.activation].dphi
        grad = np.empty_like(theta)
        layers, grads = self.layers(theta), self.layers(grad)
        for l in range(self.depth - 1, -1, -1):
            grads[l][0][...] = inputs[l].T @ delta
            grads[l][1][...] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ layers[l][0].T) * dphi(pre[l - 1])
        return grad

    def jvp(self, theta: np.ndarray, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        """J v = R{f}, the directional derivative of the outputs: (n, d_L) for v (P,), (m, n, d_L) for v (m, P)."""
        pre, inputs = self._forward(theta, x)
        return self._r_forward(theta, pre, inputs, v)[0][-1]

    def _r_forward(self, theta, pre, inputs, v):
        """R{a_l} and R{h_{l−1}} (None where identically zero: layers below the first one v moves), and which
        layers v moves (a direction confined to one layer skips the others' products)."""
        dphi = ACTIVATIONS[self.activation].dphi
        moved = [bool(np.any(vw) or np.any(vb)) for vw, vb in self.layers(v)]
        r_pre, r_inputs, r_h = [], [], None
        for l, ((w, _), (vw, vb)) in enumerate(zip(self.layers(theta), self.layers(v))):
            r_inputs.append(r_h)
            r = inputs[l] @ vw + vb[..., None, :] if moved[l] else None
            if r_h is not None:
                r = r_h @ w if r is None else r + r_h @ w
            if r is None and l == self.depth - 1:
                r = np.zeros(v.shape[:-1] + pre[l].shape)
            r_pre.append(r)
            if l < self.depth - 1 and r is not None:
                r_h = dphi(pre[l]) * r
        return r_pre, r_inputs, moved

    def curvature_product(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray, loss, v: np.ndarray,
                          gauss_newton: bool = False) -> np.ndarray:
        """∇²L v (or G v if ``gauss_newton``) of the data term L = loss(f(θ; x), y), ``loss`` a class of
        :mod:`.losses`; v (P,) or (m, P). The equations are in the module docstring."""
        act = ACTIVATIONS[self.activation]
        pre, inputs = self._forward(theta, x)
        r_pre, r_inputs, moved = self._r_forward(theta, pre, inputs, v)
        f = pre[-1]
        delta, r_d = loss.grad(f, y), loss.hess_vec(f, y, r_pre[-1])
        out = np.empty_like(v)
        layers, v_layers, r_grads = self.layers(theta), self.layers(v), self.layers(out)
        for l in range(self.depth - 1, -1, -1):
            r_gw = inputs[l].T @ r_d
            if r_inputs[l] is not None and not gauss_newton:
                r_gw = r_gw + np.swapaxes(r_inputs[l], -1, -2) @ delta
            r_grads[l][0][...] = r_gw
            r_grads[l][1][...] = r_d.sum(axis=-2)
            if l > 0:
                w, vw = layers[l][0], v_layers[l][0]
                d1 = act.dphi(pre[l - 1])
                r_e = r_d @ w.T
                if not gauss_newton:
                    e = delta @ w.T
                    if moved[l]:
                        r_e = r_e + delta @ np.swapaxes(vw, -1, -2)
                    r_d = r_e * d1
                    if r_pre[l - 1] is not None:
                        r_d += e * act.d2phi(pre[l - 1]) * r_pre[l - 1]
                    delta = e * d1
                else:
                    r_d = r_e * d1
                    delta = (delta @ w.T) * d1
        return out


@dataclass(frozen=True, eq=False)
class Objective:
    """L(θ) = loss(f(θ; x), y) + (l2/2)|θ|² for a network ``model``, a loss name (``LOSSES``) and data (x, y).

    Every method takes ``index`` = None (all samples) or an integer array of sample indices (a minibatch, over
    which the loss is averaged). ``n_samples`` is what trainers draw minibatches from.
    """

    model: MLP
    loss: str
    x: np.ndarray
    y: np.ndarray
    l2: float = 0.0

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ParameterError("loss", self.loss, ", ".join(LOSSES))
        if self.l2 < 0:
            raise ParameterError("l2", self.l2, "a non-negative weight-decay strength")
        if len(self.x) != len(self.y):
            raise ParameterError("y", np.shape(self.y), f"as many samples as x ({len(self.x)})")
        k, y = self.model.sizes[-1], np.asarray(self.y)
        if self.loss == "cross_entropy":
            if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or np.any((y < 0) | (y >= k)):
                raise ParameterError("y", "labels", f"integer class labels in [0, {k}) for cross_entropy")
        elif y.shape != (len(self.x), k):
            raise ParameterError("y", y.shape, f"targets of shape (n, {k}) for mse")

    @property
    def n_samples(self) -> int:
        return len(self.x)

    def _data(self, index):
        return (self.x, self.y) if index is None else (self.x[index], self.y[index])

    def value(self, theta: np.ndarray, index=None) -> float:
        x, y = self._data(index)
        return LOSSES[self.loss].value(self.model.forward(theta, x), y) + L2(self.l2).value(theta)

    def value_and_grad(self, theta: np.ndarray, index=None) -> tuple[float, np.ndarray]:
        """(L(θ), ∇L(θ)) by one forward and one backward pass."""
        x, y = self._data(index)
        loss = LOSSES[self.loss]
        pre, inputs = self.model._forward(theta, x)
        f = pre[-1]
        grad = self.model._backward(theta, pre, inputs, loss.grad(f, y))
        return loss.value(f, y) + L2(self.l2).value(theta), grad + L2(self.l2).grad(theta)

    def grad(self, theta: np.ndarray, index=None) -> np.ndarray:
        return self.value_and_grad(theta, index)[1]

    def _product(self, theta, v, index, gauss_newton):
        x, y = self._data(index)
        v = np.asarray(v, dtype=np.float64)
        out = self.model.curvature_product(theta, x, y, LOSSES[self.loss], v, gauss_newton)
        return out + L2(self.l2).hess_vec(v)

    def hvp(self, theta: np.ndarray, v: np.ndarray, index=None) -> np.ndarray:
        """The exact Hessian-vector product ∇²L(θ) v (Pearlmutter's R-operator); v (P,) or (m, P)."""
        return self._product(theta, v, index, gauss_newton=False)

    def gauss_newton_product(self, theta: np.ndarray, v: np.ndarray, index=None) -> np.ndarray:
        """G v = Jᵀ (∂²L/∂f²) J v + l2·v; v (P,) or (m, P)."""
        return self._product(theta, v, index, gauss_newton=True)

    def _matrix(self, theta, index, block, gauss_newton):
        """Rows M e_i in blocks of unit vectors, each block inside one layer (so the others' products are skipped)."""
        p, offsets = self.model.n_params, self.model.offsets
        out = np.empty((p, p))
        for lo, hi in zip(offsets[:-1], offsets[1:]):
            for start in range(lo, hi, block):
                stop = min(hi, start + block)
                unit = np.zeros((stop - start, p))
                unit[np.arange(stop - start), np.arange(start, stop)] = 1.0
                out[start:stop] = self._product(theta, unit, index, gauss_newton)
        return out

    def hessian(self, theta: np.ndarray, index=None, block: int = 128) -> np.ndarray:
        """The exact Hessian (P, P): row i is H e_i, ``block`` unit vectors per batched pass (not symmetrised, so
        its asymmetry measures rounding only)."""
        return self._matrix(theta, index, block, gauss_newton=False)

    def gauss_newton(self, theta: np.ndarray, index=None, block: int = 128) -> np.ndarray:
        """The Gauss–Newton matrix G (P, P), positive semi-definite."""
        return self._matrix(theta, index, block, gauss_newton=True)
