"""Study ``gradients``: backpropagation through sampled random networks against the backward mean-field
recursion of :mod:`statmech_nn.meanfield.gradients` (Schoenholz et al. 2017; Yang & Schoenholz 2017).

For each σ_w² of the list, ``networks`` networks (plain, or residual with ``architecture = resnet``) of width N
propagate an input of squared length q0 (0: the fixed point q*, plain only) and backpropagate a random output
gradient δ^L with i.i.d. N(0, 1) entries (:func:`statmech_nn.models.resnet.sample_network`). One row per network
(step = σ_w² index × networks + network): ``grad`` = |δ^l|²/N and ``q`` = |h^l|²/N for l = 0..depth.
/results: ``grad_theory`` (σ_w², depth + 1) = q̃^l/q̃^L, ``chi1``, ``xi_grad`` (plain fixed point) and ``q0``.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import numba
import numpy as np

from statmech_nn.meanfield import fixed_point, gradient_ratio
from statmech_nn.meanfield.residual import RESIDUAL
from statmech_nn.models import deepnet, resnet
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.gradients import analyze


def _check(s: Settings) -> None:
    if s.architecture == "resnet":
        PARAMS["q0"].check(s.q0 > 0, s.q0, "a value > 0 with --architecture resnet (no fixed point)")
    elif s.q0 == 0:
        for sw2 in s.sigma_w2:
            q_star = fixed_point(s.phi, sw2, s.sigma_b2).q_star
            PARAMS["q0"].check(math.isfinite(q_star) and q_star > 0, s.q0,
                               f"a value > 0: sigma_w2 = {sw2} has no finite fixed point q* > 0")


PARAMS = ParamSet(
    *[p for p in deepnet.deepnet_params(depth=50, width=500) if p.name != "weights"
      and p.name != "sigma_w2"],
    Param("sigma_w2", float, (1.5, 1.76, 2.5), "weight variances σ_w² (W_ij ~ N(0, σ_w²/N)), one set of networks "
          "each", low=0, low_open=True, many=True),
    Param("networks", int, 10, "independent networks per σ_w²", low=1),
    Param("q0", float, 0.0, "squared length |h^0|²/N of the input; 0: the fixed point q* (plain)", low=0),
    Param("architecture", str, "plain", "plain, or resnet (see --residual)", choices=("plain", "resnet")),
    Param("residual", str, "reduced", "resnet only: reduced or full residual block", choices=RESIDUAL),
    Param("sigma_v2", float, 1.0, "full resnet: variance σ_v² of V", low=0, low_open=True),
    Param("sigma_a2", float, 0.0, "full resnet: variance σ_a² of the bias a", low=0),
    seed_param(),
    check=_check,
)


class Gradients(Simulation):
    """Phases: ``networks`` (one row per network and σ_w², σ_w²-major). State: nothing but progress."""

    streams = {"sigma": 3}

    @property
    def observables(self) -> dict:
        row = (self.settings.depth + 1,)
        return {"grad": (np.float64, row, ("layer",)), "q": (np.float64, row, ("layer",))}

    def phases(self) -> dict[str, int]:
        return {"networks": len(self.settings.sigma_w2) * self.settings.networks}

    def init_state(self) -> dict:
        return {}

    @cached_property
    def q0(self) -> np.ndarray:
        s = self.settings
        if s.q0 > 0:
            return np.full(len(s.sigma_w2), s.q0)
        return np.array([fixed_point(s.phi, sw2, s.sigma_b2).q_star for sw2 in s.sigma_w2])

    def _network(self, unit: int) -> dict:
        s = self.settings
        i, k = divmod(unit, s.networks)
        arch = s.residual if s.architecture == "resnet" else "plain"
        return resnet.sample_network(self.stream("sigma", i), k, s.phi, arch, s.sigma_w2[i], s.sigma_b2,
                                     float(self.q0[i]), 0.0, s.depth, s.width, s.sigma_v2, s.sigma_a2,
                                     gradients=True)

    def step(self, state, phase: str, start: int, n: int) -> dict:
        units = np.arange(start, start + n, dtype=np.int64)
        with ThreadPoolExecutor(numba.get_num_threads()) as pool:  # networks are independent streams
            nets = list(pool.map(self._network, units.tolist()))
        return {name: (units, np.array([net[name] for net in nets])) for name in ("grad", "q")}

    def results(self, state) -> dict[str, np.ndarray]:
        s = self.settings
        arch = s.residual if s.architecture == "resnet" else "plain"
        theory = np.array([gradient_ratio(s.phi, sw2, s.sigma_b2, float(q0), s.depth, arch, s.sigma_v2, s.sigma_a2)
                           for sw2, q0 in zip(s.sigma_w2, self.q0)])
        fps = [fixed_point(s.phi, sw2, s.sigma_b2) for sw2 in s.sigma_w2]
        plain = s.architecture == "plain"
        return {"grad_theory": theory, "q0": self.q0,
                "chi1": np.array([fp.chi1 if plain else np.nan for fp in fps]),
                "xi_grad": np.array([fp.xi_grad if plain else np.nan for fp in fps])}


def memory(s: Settings) -> tuple[float, str]:
    """Each thread holds one network's weights (resnet full: two matrices per layer) and states."""
    per_layer = 8.0 * s.width**2 * (2 if s.architecture == "resnet" and s.residual == "full" else 1)
    return numba.config.NUMBA_NUM_THREADS * s.depth * (per_layer + 64.0 * s.width), "width"


STUDY = Study("gradients", "backpropagated gradients of random networks vs the backward mean-field recursion",
              PARAMS, Gradients, summarize=analyze,
              example={"sigma_w2": (1.5, 2.5), "width": 30, "depth": 6, "networks": 3}, memory=memory)
