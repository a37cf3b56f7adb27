"""Study ``deep-linear``: gradient descent in deep linear networks beside the exact mode dynamics of Saxe,
McClelland & Ganguli (2014), and the balancedness invariant of Arora et al. (2018).

For every depth D (number of weight matrices) one linear network of width ``width`` learns S = U diag(s) Vᵀ
from whitened inputs by full-batch gradient descent (:mod:`statmech_nn.nets.deep_linear`). One row every
``log_every`` steps: the mode strengths u_α = U_αᵀ W V_α (one column per (depth, mode), depth-major), the loss and
the drift of the balancedness max_j |B_j(t) − B_j(0)|_F per depth. /results: ``half_time`` (t = lr × steps at
which each mode first reaches s/2, nan if it never does) beside ``half_time_theory`` (balanced start
u₀ = init_scale^D, τ = 1), ``mode_strength_theory`` at the logged steps, the late-time loss decay rate
``convergence_rate_theory`` per depth, and the column labels ``column_depth`` / ``column_singular_value``.
"""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from statmech_nn.nets import GD, Objective
from statmech_nn.nets import deep_linear as dl
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.optimization import analyze_deep_linear


def _check(s: Settings) -> None:
    m = len(s.singular_values)
    PARAMS["width"].check(s.width == 0 or s.width >= m, s.width, f"0 or at least the number of singular values ({m})")
    lam = max(d * max(s.singular_values) ** (2.0 - 2.0 / d) for d in s.depth)
    PARAMS["lr"].check(s.lr * lam < 1.0, s.lr, f"lr < 1 / max_D D s_max^(2-2/D) = {1.0 / lam:.3g} (stable steps)")
    PARAMS["log_every"].check(s.log_every <= s.steps, s.log_every, f"at most steps ({s.steps})")


PARAMS = ParamSet(
    Param("depth", int, (2, 3, 5), "numbers of weight matrices D, one network each", low=1, high=50, many=True),
    Param("singular_values", float, (3.0, 2.0, 1.0), "singular values s of the target S", low=0, low_open=True,
          many=True),
    Param("init_scale", float, 1e-3, "per-layer scale ε of the start (balanced: u0 = ε^D)", low=0, low_open=True,
          high=10.0),
    Param("init", str, "balanced", "start: balanced, flipped (u0 = -ε^D) or random (layer-wise Gaussian)",
          choices=dl.INITS),
    Param("lr", float, 1e-3, "gradient-descent step (time t = lr × steps, τ = 1)", low=0, low_open=True),
    Param("steps", int, 20000, "gradient-descent steps", low=1, high=10**8),
    Param("width", int, 0, "input, hidden and output width; 0: the number of singular values", low=0, high=500),
    Param("log_every", int, 100, "steps between stored rows", low=1),
    seed_param(),
    check=_check,
)


class DeepLinear(Simulation):
    """Phases: ``train`` (one unit per stored row; row 0 is the start). State: per depth the trainer state
    (``nets/<i>``: params, step) and ``half_time`` (nan until a mode crosses s/2)."""

    streams = {"target": 1, "init": 2}

    @cached_property
    def width(self) -> int:
        return self.settings.width or len(self.settings.singular_values)

    @cached_property
    def target(self):
        return dl.target(self.stream("target"), self.settings.singular_values, self.width)

    @cached_property
    def objectives(self) -> list[Objective]:
        x, y = dl.whitened_data(self.target[0])
        return [Objective(dl.network(d, self.width), "mse", x, y) for d in self.settings.depth]

    @cached_property
    def starts(self) -> list[np.ndarray]:
        s, (_, u, v) = self.settings, self.target
        return [dl.initial_params(obj.model, self.stream("init", i), u, v, s.init_scale, s.init)
                for i, obj in enumerate(self.objectives)]

    @property
    def observables(self) -> dict:
        n_d, m = len(self.settings.depth), len(self.settings.singular_values)
        return {"mode_strength": (np.float64, (n_d * m,), ("depth_mode",)),
                "loss": (np.float64, (n_d,), ("depth",)),
                "balance_drift": (np.float64, (n_d,), ("depth",))}

    @cached_property
    def row_steps(self) -> np.ndarray:
        s = self.settings
        return np.minimum(np.arange(math.ceil(s.steps / s.log_every) + 1, dtype=np.int64) * s.log_every, s.steps)

    def phases(self) -> dict[str, int]:
        return {"train": len(self.row_steps)}

    @cached_property
    def trainer(self) -> GD:
        return GD(self.settings.lr)

    def init_state(self) -> dict:
        n = len(self.settings.depth) * len(self.settings.singular_values)
        return {"nets": {str(i): self.trainer.init(theta) for i, theta in enumerate(self.starts)},
                "half_time": np.full(n, np.nan)}

    def step(self, state, phase: str, start: int, n: int) -> dict:
        s, (_, u, v) = self.settings, self.target
        m = len(s.singular_values)
        level = 0.5 * np.asarray(s.singular_values)
        steps = self.row_steps[start:start + n]
        modes, loss, drift = np.empty((n, len(s.depth) * m)), np.empty((n, len(s.depth))), np.empty((n, len(s.depth)))
        for r, target_step in enumerate(steps):
            for i, obj in enumerate(self.objectives):
                net_state = state["nets"][str(i)]
                dl.advance(self.trainer, net_state, obj, int(target_step - net_state["step"]), u, v,
                           state["half_time"][i * m:(i + 1) * m], level)
                theta = net_state["params"]
                modes[r, i * m:(i + 1) * m] = dl.mode_strengths(obj.model, theta, u, v)
                loss[r, i] = obj.value(theta)
                drift[r, i] = dl.balance_drift(obj.model, theta, self.starts[i])
        return {"mode_strength": (steps, modes), "loss": (steps, loss), "balance_drift": (steps, drift)}

    def results(self, state) -> dict[str, np.ndarray]:
        s = self.settings
        sv = np.asarray(s.singular_values)
        depths = np.repeat(np.asarray(s.depth, dtype=np.int64), len(sv))
        values = np.tile(sv, len(s.depth))
        times = self.row_steps * s.lr
        theory_half, theory_modes = [], []
        for d, sig in zip(depths, values):
            u0 = s.init_scale ** int(d)
            ok = u0 < sig
            theory_half.append(dl.half_time(sig, u0, int(d)) if ok else 0.0)
            theory_modes.append(dl.trajectory(times, sig, u0, int(d)) if ok else np.full(times.size, np.nan))
        return {"half_time": state["half_time"].copy(), "half_time_theory": np.array(theory_half),
                "mode_strength_theory": np.array(theory_modes).T,
                "convergence_rate_theory": np.array([dl.convergence_rate(sv.min(), d, s.lr) for d in s.depth]),
                "column_depth": depths, "column_singular_value": values}


STUDY = Study("deep-linear", "deep linear networks: mode dynamics (Saxe et al. 2014) and balancedness (Arora et al.)",
              PARAMS, DeepLinear, summarize=analyze_deep_linear,
              example={"depth": (2, 3), "singular_values": (2.0, 1.0), "init_scale": 0.3, "lr": 0.01, "steps": 600,
                       "log_every": 50})
