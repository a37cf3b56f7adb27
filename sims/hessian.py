"""Study ``hessian``: the Hessian spectrum of trained networks against the number of classes and of parameters
(Sagun et al. 2017), its Gauss–Newton / residual split, and stochastic Lanczos quadrature beside the exact
spectrum (:mod:`statmech_nn.nets.spectra`).

One network MLP(d, hidden, k) per configuration (every class count × every hidden width) is trained by minibatch
SGD on the task with k classes; one row per epoch holds each configuration's training loss and accuracy. Then
every configuration's exact Hessian H and Gauss–Newton matrix G are diagonalised (when P ≤ ``max_exact``) and
SLQ estimates the density from Hessian-vector products. /results: ``eigenvalues`` (all P of them, ascending, one
row per configuration, nan-padded to the largest P; nan rows beyond ``max_exact``), ``gauss_newton_eigenvalues``,
``residual_eigenvalues`` (of R = H − G), ``n_outliers``, ``classes``, ``hidden``, ``n_params``, ``slq_nodes`` and
``slq_weights`` (configuration × probe × Lanczos step).
"""
from __future__ import annotations

import itertools
from functools import cached_property

import numpy as np

from statmech_nn.nets import ACTIVATIONS, LOSSES, MLP, SGD, Objective
from statmech_nn.nets import spectra, tasks
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.optimization import analyze_hessian


def input_dim(s: Settings) -> int:
    return s.dim if s.task == "mixture" else 64


def configurations(s: Settings) -> list[tuple[int, int]]:
    """(classes, hidden) pairs, classes-major."""
    return list(itertools.product(s.classes, s.hidden))


def n_params(s: Settings, k: int, h: int) -> int:
    return (input_dim(s) + 1) * h + (h + 1) * k


def _check(s: Settings) -> None:
    if s.task == "mixture":
        PARAMS["classes"].check(max(s.classes) <= s.dim, s.classes, f"at most dim = {s.dim} classes for mixture")
    PARAMS["batch_size"].check(s.batch_size <= s.samples, s.batch_size, f"at most samples ({s.samples})")


def _memory(s: Settings) -> tuple[float, str]:
    exact = [n_params(s, k, h) for k, h in configurations(s) if n_params(s, k, h) <= s.max_exact]
    return 8.0 * 4 * max(exact, default=0) ** 2, "max_exact"


PARAMS = ParamSet(
    Param("task", str, "mixture", "classification task", choices=tasks.TASKS),
    Param("classes", int, (2, 5, 10), "numbers of classes k", low=2, high=64, many=True),
    Param("hidden", int, (50,), "hidden widths", low=1, high=10**5, many=True),
    Param("epochs", int, 500, "training epochs", low=0, high=10**7),
    Param("samples", int, 1000, "training samples", low=2, high=10**6),
    Param("dim", int, 10, "input dimension d of the mixture task", low=2, high=10**4),
    Param("separation", float, 8.0, "distance between mixture class means", low=0),
    Param("loss", str, "mse", "loss: mse (one-hot targets) or cross_entropy", choices=tuple(LOSSES)),
    Param("activation", str, "tanh", "hidden activation", choices=tuple(ACTIVATIONS)),
    Param("lr", float, 0.05, "SGD step", low=0, low_open=True),
    Param("batch_size", int, 100, "SGD minibatch size", low=1),
    Param("momentum", float, 0.9, "SGD heavy-ball momentum", low=0, high=1, high_open=True),
    Param("slq_vectors", int, 10, "SLQ probe vectors", low=1, high=10**4),
    Param("slq_steps", int, 80, "Lanczos steps per probe", low=1, high=10**4),
    Param("max_exact", int, 4000, "largest P whose full Hessian is diagonalised", low=0, high=10**5),
    seed_param(),
    check=_check,
)


class HessianSpectra(Simulation):
    """Phases: ``train`` (one unit per epoch, all configurations), ``spectra`` (one unit per configuration).
    State: per configuration the SGD state (``nets/<i>``) and the spectra computed so far (``spectra/…``)."""

    streams = {"data": 1, "init": 2, "sgd": 3, "slq": 4}

    @cached_property
    def configs(self) -> list[tuple[int, int]]:
        return configurations(self.settings)

    @cached_property
    def objectives(self) -> list[Objective]:
        s, out = self.settings, []
        for k, h in self.configs:
            x, y = tasks.classification(s.task, self.stream("data", k), s.samples, k, s.dim, s.separation)
            target = np.eye(k)[y] if s.loss == "mse" else y
            out.append(Objective(MLP((x.shape[1], h, k), s.activation), s.loss, x, target))
        return out

    @cached_property
    def labels(self) -> list[np.ndarray]:
        return [obj.y.argmax(1) if obj.y.ndim == 2 else obj.y for obj in self.objectives]

    @cached_property
    def trainer(self) -> SGD:
        s = self.settings
        return SGD(s.lr, s.batch_size, s.momentum)

    @property
    def observables(self) -> dict:
        n = (len(self.configs),)
        return {"loss": (np.float64, n, ("configuration",)), "accuracy": (np.float64, n, ("configuration",))}

    def phases(self) -> dict[str, int]:
        return {"train": self.settings.epochs, "spectra": len(self.configs)}

    @cached_property
    def max_params(self) -> int:
        return max(obj.model.n_params for obj in self.objectives)

    def init_state(self) -> dict:
        s, n = self.settings, len(self.configs)
        nets = {str(i): self.trainer.init(obj.model.init(self.stream("init", i)), self.stream("sgd", i),
                                          obj.n_samples) for i, obj in enumerate(self.objectives)}
        k = min(s.slq_steps, self.max_params)
        blank = {name: np.full((n, self.max_params), np.nan) for name in ("hessian", "gauss_newton", "residual")}
        return {"nets": nets, "spectra": {**blank, "slq_nodes": np.zeros((n, s.slq_vectors, k)),
                                          "slq_weights": np.zeros((n, s.slq_vectors, k))}}

    def step(self, state, phase: str, start: int, n: int) -> dict:
        if phase == "spectra":
            for i in range(start, start + n):
                self._spectra(state, i)
            return {}
        steps_per_epoch = self.settings.samples // self.settings.batch_size
        loss, acc = np.empty((n, len(self.configs))), np.empty((n, len(self.configs)))
        for r in range(n):
            for i, obj in enumerate(self.objectives):
                theta = state["nets"][str(i)]["params"]
                for _ in range(steps_per_epoch):
                    self.trainer.step(state["nets"][str(i)], obj)
                loss[r, i] = obj.value(theta)
                acc[r, i] = np.mean(obj.model.forward(theta, obj.x).argmax(1) == self.labels[i])
        epochs = np.arange(start + 1, start + n + 1, dtype=np.int64)
        return {"loss": (epochs, loss), "accuracy": (epochs, acc)}

    def _spectra(self, state, i: int) -> None:
        s, obj, out = self.settings, self.objectives[i], state["spectra"]
        theta, p = state["nets"][str(i)]["params"], self.objectives[i].model.n_params
        if p <= s.max_exact:
            for name, ev in spectra.split_spectra(obj, theta).items():
                out[name][i, :p] = ev
        nodes, weights = spectra.slq(lambda v: obj.hvp(theta, v), p, s.slq_vectors, s.slq_steps,
                                     self.stream("slq", i))
        out["slq_nodes"][i, :, :nodes.shape[1]], out["slq_weights"][i, :, :nodes.shape[1]] = nodes, weights

    def results(self, state) -> dict[str, np.ndarray]:
        sp = state["spectra"]
        return {"eigenvalues": sp["hessian"].copy(), "gauss_newton_eigenvalues": sp["gauss_newton"].copy(),
                "residual_eigenvalues": sp["residual"].copy(),
                "n_outliers": np.array([spectra.count_outliers(ev) if np.isfinite(ev).any() else -1
                                        for ev in sp["hessian"]], dtype=np.int64),
                "classes": np.array([k for k, _ in self.configs], dtype=np.int64),
                "hidden": np.array([h for _, h in self.configs], dtype=np.int64),
                "n_params": np.array([obj.model.n_params for obj in self.objectives], dtype=np.int64),
                "slq_nodes": sp["slq_nodes"].copy(), "slq_weights": sp["slq_weights"].copy()}


STUDY = Study("hessian", "Hessian spectra of trained networks: outliers vs classes, bulk vs parameters (Sagun 2017)",
              PARAMS, HessianSpectra, summarize=analyze_hessian, memory=_memory,
              example={"classes": (2, 3), "hidden": (6,), "dim": 4, "samples": 60, "batch_size": 20, "epochs": 3,
                       "slq_vectors": 2, "slq_steps": 10})
