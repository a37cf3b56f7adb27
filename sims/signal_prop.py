"""Study ``signal-prop``: mean-field signal propagation in deep random networks, with an optional finite-width check.

Theory (Poole et al. 2016; Schoenholz et al. 2017) for h^l = W^l φ(h^{l−1}) + b^l, W_ij ~ N(0, σ_w²/N),
b_i ~ N(0, σ_b²): fixed points, slopes, depth scales and the critical σ_w² go to ``/results``, with the theory
curves q^l, c^l for l = 0..depth from inputs with squared length q0 and correlation c0. With ``width`` > 0,
``networks`` sampled networks propagate such a pair of inputs; one row per layer (step = layer, 0..depth) of the
network means of q^l and c^l and their standard deviations over networks (docs/signal_prop.md).

``architecture = resnet``: the residual networks of Yang & Schoenholz 2017 (``residual`` = reduced
x^l = x^{l−1} + W φ(x^{l−1}) + b, or full with σ_v², σ_a²; :mod:`statmech_nn.models.resnet`), q^l = |x^l|²/N.
``finite_width = 1``: ``width`` is a list N_1, N_2, …; for each width ``networks`` networks propagate an i.i.d.
Gaussian input pair, rows hold one entry per width, and /results adds the 1/N coefficients of
:func:`statmech_nn.meanfield.finite_width_curves`.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from functools import cached_property

import numba
import numpy as np

from statmech_nn.meanfield import (activation, finite_width_curves, fixed_point, phase_diagram, sigma_w2_critical,
                                   theory_curves)
from statmech_nn.meanfield.residual import RESIDUAL
from statmech_nn.models import deepnet, resnet
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.rng import seed_sequence
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.signal_prop import THEORY, analyze, residual_estimates, residual_theory

OBSERVABLES = {name: (np.float64, ()) for name in ("q", "q_std", "c", "c_std")}

#: Spawn-key prefix of the networks of width index i in a finite-width run: seed_sequence(seed, 9, i).
FINITE_WIDTH_KEY = 9


class WidthParam(Param):
    """``width``: one integer as before (stored as an int), or with ``finite_width = 1`` a list N_1,N_2,…"""

    def _as_list(self) -> Param:
        return Param(**{f.name: getattr(self, f.name) for f in fields(Param)} | {"many": True})

    def coerce(self, value):
        out = self._as_list().coerce(value)
        return out[0] if len(out) == 1 else out

    def allowed(self) -> str:
        return self._as_list().allowed()


def _widths(s: Settings) -> tuple[int, ...]:
    return s.width if isinstance(s.width, tuple) else (s.width,)


def _check(s: Settings) -> None:
    width = PARAMS["width"]
    if s.finite_width:
        width.check(min(_widths(s)) >= 2, s.width, "widths >= 2 with --finite-width 1")
        PARAMS["architecture"].check(s.architecture == "plain", s.architecture, "plain with --finite-width 1")
        PARAMS["weights"].check(s.weights == "gaussian", s.weights, "gaussian with --finite-width 1")
    else:
        width.check(isinstance(s.width, int), s.width, "one integer >= 0 (a list needs --finite-width 1)")
    if s.architecture == "resnet":
        PARAMS["weights"].check(s.weights == "gaussian", s.weights, "gaussian with --architecture resnet")


def _params() -> tuple[Param, ...]:
    out = []
    for p in deepnet.deepnet_params(depth={"high": 100000}, width={
            "default": 0, "low": 0, "doc": "units per layer N of the simulated networks; 0: theory only "
            "(--finite-width 1: a list of widths)"}):
        out.append(WidthParam(**{f.name: getattr(p, f.name) for f in fields(p)})
                   if p.name == "width" else p)
    return tuple(out)


PARAMS = ParamSet(
    *_params(),
    Param("networks", int, 50, "independent networks simulated", low=1),
    Param("q0", float, 1.0, "squared length q^0 = |h^0|²/N of both inputs", low=0, low_open=True),
    Param("c0", float, 0.6, "correlation c^0 of the two inputs", low=-1, high=1),
    seed_param(),
    Param("architecture", str, "plain", "plain h^l = W φ(h^{l-1}) + b, or resnet (residual: see --residual)",
          choices=("plain", "resnet")),
    Param("residual", str, "reduced", "resnet only: reduced x^l = x^{l-1} + W φ(x^{l-1}) + b, or full "
          "x^l = x^{l-1} + V φ(W x^{l-1} + b) + a", choices=RESIDUAL),
    Param("sigma_v2", float, 1.0, "full resnet: variance σ_v² of V (V_ij ~ N(0, σ_v²/N))", low=0, low_open=True),
    Param("sigma_a2", float, 0.0, "full resnet: variance σ_a² of the bias a", low=0),
    Param("finite_width", int, 0, "1: compare simulation at each of the widths with theory + its 1/N correction "
          "(plain gaussian networks, i.i.d. Gaussian inputs); the flag alone means 1", low=0, high=1, switch=True),
    check=_check,
)


class SignalPropagation(Simulation):
    """Phases: ``layers`` (one row per layer 0..depth of the network means of q^l and c^l and their standard
    deviations over networks — one entry per width in a finite-width run; none for a theory-only run). State:
    ``h`` (networks, width, 2) pre-activations (resnet: the residual stream) of the current layer; finite-width
    runs: one such array per width, ``h/<i>``."""

    @property
    def observables(self) -> dict:
        if self.settings.finite_width:
            return {name: (np.float64, (len(_widths(self.settings)),), ("width",)) for name in OBSERVABLES}
        return OBSERVABLES if self.settings.width else {}

    def phases(self) -> dict[str, int]:
        return {"layers": self.settings.depth + 1 if self.settings.width else 0}

    def _inputs(self, seed, width: int) -> np.ndarray:
        s = self.settings
        h = np.empty((s.networks if width else 0, width, 2))
        for k in range(len(h)):
            rng = deepnet.stream(seed, k, 0)
            h[k] = (resnet.iid_input_pair(rng, width, s.q0, s.c0) if s.finite_width
                    else deepnet.input_pair(rng, width, s.q0, s.c0))
        return h

    def _seeds(self) -> list:
        return [seed_sequence(self.seed, FINITE_WIDTH_KEY, i) for i in range(len(_widths(self.settings)))]

    def init_state(self) -> dict:
        if self.settings.finite_width:
            return {"h": {str(i): self._inputs(seed, n) for i, (seed, n) in
                          enumerate(zip(self._seeds(), _widths(self.settings)))}}
        return {"h": self._inputs(self.seed, self.settings.width)}

    def step(self, state, phase: str, start: int, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Report layers start..start+n−1 (propagating every network one layer before each but layer 0)."""
        layers = np.arange(start, start + n, dtype=np.int64)
        if self.settings.finite_width:
            parts = [self._layers(h, seed, layers) for seed, h in zip(self._seeds(), state["h"].values())]
            return {name: (layers, np.stack([p[:, i] for p in parts], axis=1)) for i, name in enumerate(OBSERVABLES)}
        rows = self._layers(state["h"], self.seed, layers)
        return {name: (layers, rows[:, i]) for i, name in enumerate(OBSERVABLES)}

    def _layers(self, h: np.ndarray, seed, layers: np.ndarray) -> np.ndarray:
        """Rows (q mean, q std, c mean, c std) of ``layers`` for the networks ``h`` of root ``seed``."""
        s = self.settings
        rows = np.empty((len(layers), 4))
        ddof = 1 if len(h) > 1 else 0
        with ThreadPoolExecutor(numba.get_num_threads()) as pool:  # networks are independent streams
            for r, lay in enumerate(layers):
                if lay > 0:
                    def propagate(k, lay=int(lay)):
                        if s.architecture == "resnet":
                            net = resnet.SampledNetwork(seed, k, self.phi, s.residual, s.sigma_w2, s.sigma_b2,
                                                        s.sigma_v2, s.sigma_a2)
                            h[k] = net.propagate(h[k], lay)[0]
                        else:
                            h[k] = deepnet.layer(deepnet.stream(seed, k, lay), h[k], self.phi, s.sigma_w2,
                                                 s.sigma_b2, s.weights)
                    list(pool.map(propagate, range(len(h))))
                q, c = np.array([deepnet.pair_statistics(hk) for hk in h]).T
                rows[r] = q.mean(), q.std(ddof=ddof), c.mean(), c.std(ddof=ddof)
        return rows

    @cached_property
    def phi(self):
        return activation(self.settings.phi)

    @cached_property
    def theory(self) -> dict[str, np.ndarray]:
        s = self.settings
        if s.architecture == "resnet":
            return residual_theory(s.phi, s.sigma_w2, s.sigma_b2, s.q0, s.c0, s.depth, s.residual, s.sigma_v2,
                                   s.sigma_a2)
        fp = fixed_point(self.phi, s.sigma_w2, s.sigma_b2)
        q, c = theory_curves(self.phi, s.sigma_w2, s.sigma_b2, s.q0, s.c0, s.depth)
        values = {"q_star": fp.q_star, "chi1": fp.chi1, "chi2": fp.chi2, "dV": fp.dV, "c_star": fp.c_star,
                  "chi_c": fp.chi_c, "xi_q": fp.xi_q, "xi_c": fp.xi_c, "xi_grad": fp.xi_grad,
                  "sigma_w2_critical": sigma_w2_critical(self.phi, s.sigma_b2)}
        out = {**{k: np.float64(v) for k, v in values.items()}, "q_theory": q, "c_theory": c}
        if s.finite_width:
            fw = finite_width_curves(self.phi, s.sigma_w2, s.sigma_b2, s.q0, s.c0, s.depth)
            out.update(q_coef=fw.q_coef, c_coef=fw.c_coef, var_q=fw.var_q, var_c=fw.var_c)
        return out

    def results(self, state) -> dict[str, np.ndarray]:
        return self.theory


def theory_grid(points: list[Settings]) -> list[dict[str, tuple[float, float, float]]] | None:
    """The theory summaries of many theory-only points (width 0) at once: one :func:`phase_diagram` call per
    activation over the distinct σ_w² × σ_b² values of the plain points, the residual recursions point by point
    for resnet points, instead of one run per point. ``None`` if any point simulates networks. Values are exact
    (error 0, τ nan), as ``analysis.signal_prop.analyze`` reports them."""
    if any(s.width != 0 or s.finite_width for s in points):
        return None
    out: list[dict] = [{} for _ in points]
    plain = [i for i, s in enumerate(points) if s.architecture == "plain"]
    for i, s in enumerate(points):
        if s.architecture == "resnet":
            theory = residual_theory(s.phi, s.sigma_w2, s.sigma_b2, s.q0, s.c0, s.depth, s.residual, s.sigma_v2,
                                     s.sigma_a2)
            out[i] = {name: (e.value, 0.0, np.nan) for name, e in residual_estimates(theory).items()}
    for phi in {points[i].phi for i in plain}:
        members = [i for i in plain if points[i].phi == phi]
        sw2 = np.unique([points[i].sigma_w2 for i in members])
        sb2 = np.unique([points[i].sigma_b2 for i in members])
        grid = phase_diagram(phi, sw2, sb2)
        for i in members:
            a = int(np.searchsorted(sw2, points[i].sigma_w2))
            b = int(np.searchsorted(sb2, points[i].sigma_b2))
            out[i] = {name: (float(grid[name][b] if name == "sigma_w2_critical" else grid[name][a, b]), 0.0, np.nan)
                      for name in THEORY}
    return out


def memory(s: Settings) -> tuple[float, str]:
    """The networks' pre-activations (2 inputs, float64) and one weight matrix per thread being drawn (resnet
    full: two); finite-width runs hold every width at once."""
    widths = np.array(_widths(s), dtype=float)
    matrices = 2 * (2 if s.architecture == "resnet" and s.residual == "full" else 1)
    return float(np.sum(16.0 * s.networks * widths + 8.0 * matrices * widths**2)), "networks"


STUDY = Study("signal-prop", "mean-field signal propagation in deep random networks (+ finite-width check)",
              PARAMS, SignalPropagation, summarize=analyze, batch=theory_grid,
              example={"width": 40, "networks": 3, "depth": 5}, memory=memory)
