"""Study ``factorization``: the implicit bias of gradient descent in matrix sensing (Gunasekar et al. 2017).

A rank-``rank`` PSD X* (n × n, |X*|_F = 1) is seen through ``observations`` measurements
(:mod:`statmech_nn.nets.factorization`). First the minimum-nuclear-norm PSD solution is found by ADMM; then, for
every initialisation scale α and factor width d, gradient descent on X = U Uᵀ runs from U₀ = α G/√d. One row every
``log_every`` steps per configuration: the loss, the nuclear norm |X|_*, the effective rank (singular values above
1e-3 of the largest) and the distance |X − X*|_F. /results: the final ``nuclear_norm``, ``effective_rank``,
``error`` and ``distance_to_min`` per configuration, ``init_scale`` and ``width`` per configuration, and
``min_nuclear_norm``, ``min_nuclear_rank``, ``min_nuclear_error``, ``truth_nuclear_norm``, ``admm_iterations``.
"""
from __future__ import annotations

import itertools
import math
from functools import cached_property

import numpy as np

from statmech_nn.nets import GD
from statmech_nn.nets import factorization as mf
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.optimization import analyze_factorization


def _check(s: Settings) -> None:
    PARAMS["rank"].check(s.rank <= s.n, s.rank, f"at most n ({s.n})")
    PARAMS["observations"].check(s.observations <= s.n * (s.n + 1) // 2, s.observations,
                                 f"at most n(n+1)/2 = {s.n * (s.n + 1) // 2} distinct measurements")
    PARAMS["width"].check(max(s.width) <= s.n, s.width, f"widths between 1 and n ({s.n}), or 0 for n")
    PARAMS["log_every"].check(s.log_every <= s.steps, s.log_every, f"at most steps ({s.steps})")


PARAMS = ParamSet(
    Param("n", int, 30, "size of the square matrix", low=2, high=300),
    Param("rank", int, 2, "rank of the ground truth", low=1),
    Param("observations", int, 300, "number of linear measurements m", low=1),
    Param("measurements", str, "gaussian", "gaussian (symmetric Gaussian A_i) or entries (matrix completion)",
          choices=mf.MEASUREMENTS),
    Param("init_scale", float, (1e-4, 1e-2, 1.0), "initialisation scales α (U0 = α G/√d)", low=0, low_open=True,
          high=100, many=True),
    Param("width", int, (0,), "factor widths d (U is n × d); 0: d = n", low=0, many=True),
    Param("lr", float, 0.05, "gradient-descent step", low=0, low_open=True, high=10),
    Param("steps", int, 20000, "gradient-descent steps", low=1, high=10**8),
    Param("log_every", int, 200, "steps between stored rows", low=1),
    seed_param(),
    check=_check,
)


def _memory(s: Settings) -> tuple[float, str]:
    return 8.0 * 3 * s.observations * s.n**2, "observations"


class MatrixFactorization(Simulation):
    """Phases: ``minimum`` (the ADMM solve), ``train`` (one unit per stored row, row 0 the start). State: per
    configuration the GD state (``nets/<i>``), and ``minimum`` (the minimum-nuclear-norm solution, nan until
    solved) with ``admm_iterations``."""

    streams = {"problem": 1, "init": 2}

    @cached_property
    def configs(self) -> list[tuple[float, int]]:
        s = self.settings
        return list(itertools.product(s.init_scale, [w or s.n for w in s.width]))

    @cached_property
    def problem(self):
        s = self.settings
        truth = mf.ground_truth(self.stream("problem"), s.n, s.rank)
        a = mf.sensing_operator(self.stream("problem"), s.n, s.observations, s.measurements)
        return truth, a, a @ truth.ravel()

    @cached_property
    def objectives(self) -> list[mf.Factorization]:
        _, a, y = self.problem
        return [mf.Factorization(a, y, self.settings.n, d) for _, d in self.configs]

    @cached_property
    def trainer(self) -> GD:
        return GD(self.settings.lr)

    @cached_property
    def row_steps(self) -> np.ndarray:
        s = self.settings
        return np.minimum(np.arange(math.ceil(s.steps / s.log_every) + 1, dtype=np.int64) * s.log_every, s.steps)

    @property
    def observables(self) -> dict:
        n = (len(self.configs),)
        return {name: (np.int64 if name == "effective_rank" else np.float64, n, ("configuration",))
                for name in ("loss", "nuclear_norm", "effective_rank", "error")}

    def phases(self) -> dict[str, int]:
        return {"minimum": 1, "train": len(self.row_steps)}

    def init_state(self) -> dict:
        s = self.settings
        nets = {str(i): self.trainer.init(mf.initial_factor(self.stream("init", i), s.n, d, scale))
                for i, (scale, d) in enumerate(self.configs)}
        return {"nets": nets, "minimum": np.full((s.n, s.n), np.nan), "admm_iterations": np.zeros((), np.int64)}

    def step(self, state, phase: str, start: int, n: int) -> dict:
        truth, a, y = self.problem
        if phase == "minimum":
            state["minimum"][...], iterations = mf.min_nuclear_norm(a, y, self.settings.n)
            state["admm_iterations"][...] = iterations
            return {}
        steps = self.row_steps[start:start + n]
        rows = {name: np.empty((n, len(self.configs))) for name in self.observables}
        for r, target in enumerate(steps):
            for i, obj in enumerate(self.objectives):
                net = state["nets"][str(i)]
                for _ in range(int(target - net["step"])):
                    self.trainer.step(net, obj)
                x = obj.matrix(net["params"])
                rows["loss"][r, i] = obj.value(net["params"])
                rows["nuclear_norm"][r, i] = mf.nuclear_norm(x)
                rows["effective_rank"][r, i] = mf.effective_rank(x)
                rows["error"][r, i] = np.linalg.norm(x - truth)
        return {name: (steps, v.astype(self.observables[name][0])) for name, v in rows.items()}

    def results(self, state) -> dict[str, np.ndarray]:
        truth, minimum = self.problem[0], state["minimum"]
        finals = [obj.matrix(state["nets"][str(i)]["params"]) for i, obj in enumerate(self.objectives)]
        solved = bool(np.isfinite(minimum).all())
        return {"nuclear_norm": np.array([mf.nuclear_norm(x) for x in finals]),
                "effective_rank": np.array([mf.effective_rank(x) for x in finals], dtype=np.int64),
                "error": np.array([np.linalg.norm(x - truth) for x in finals]),
                "distance_to_min": np.array([np.linalg.norm(x - minimum) for x in finals]),
                "init_scale": np.array([c[0] for c in self.configs]),
                "width": np.array([c[1] for c in self.configs], dtype=np.int64),
                "min_nuclear_norm": np.float64(mf.nuclear_norm(minimum) if solved else np.nan),
                "min_nuclear_rank": np.int64(mf.effective_rank(minimum) if solved else -1),
                "min_nuclear_error": np.float64(np.linalg.norm(minimum - truth)),
                "truth_nuclear_norm": np.float64(mf.nuclear_norm(truth)),
                "admm_iterations": state["admm_iterations"].copy()}


STUDY = Study("factorization", "implicit bias of gradient descent in matrix factorisation (Gunasekar et al. 2017)",
              PARAMS, MatrixFactorization, summarize=analyze_factorization, memory=_memory,
              example={"n": 6, "rank": 1, "observations": 12, "init_scale": (1e-3, 1.0), "width": (0, 3),
                       "lr": 0.05, "steps": 300, "log_every": 50})
