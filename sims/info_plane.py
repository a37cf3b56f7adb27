"""Study ``info-plane``: the information plane of a small network during training — I(X;T_l) and I(T_l;Y) of
every hidden layer at logged epochs — with losses, test accuracy and per-layer gradient moments (Shwartz-Ziv &
Tishby, arXiv:1703.00810; Saxe et al., ICLR 2018). Library: :mod:`statmech_nn.information`,
:mod:`statmech_nn.nets`; docs/information_plane.md.

One row per logged epoch (epoch 0 and ``log_points`` epochs on a geometric schedule up to ``epochs``); the MI
observables have one column per hidden layer, in bits.
"""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from statmech_nn.information import BINNINGS, gradient_moments
from statmech_nn.information.binning import entropy_bits
from statmech_nn.information.plane import (ESTIMATORS, INPUT_DIM, TASKS, TEST_FRACTION, information, log_epochs,
                                          task_split)
from statmech_nn.nets import ACTIVATIONS, GD, MLP, SGD, Adam, Objective
from statmech_nn.params import Param, ParamSet, Settings
from statmech_nn.runner import Simulation
from statmech_nn.study import Study, seed_param
from statmech_nn.summaries.info_plane import analyze

OPTIMIZERS = ("gd", "sgd", "adam")
TISHBY12_INPUTS = 4096


def _check(s: Settings) -> None:
    PARAMS["bin_high"].check(s.bin_high > s.bin_low, s.bin_high, f"a number > bin_low = {s.bin_low}")
    PARAMS["batch_size"].check(s.optimizer != "gd" or s.batch_size == 0, s.batch_size, "0 (full batch) for gd")
    PARAMS["batch_size"].check(s.optimizer != "sgd" or s.batch_size > 0, s.batch_size, "a positive size for sgd")
    n_train = int(round((1.0 - TEST_FRACTION) * _inputs(s)))
    PARAMS["batch_size"].check(s.batch_size <= n_train, s.batch_size, f"at most the {n_train} training inputs")
    PARAMS["knn_k"].check(s.estimator != "ksg" or s.knn_k < _inputs(s) // 4, s.knn_k,
                          "fewer than a quarter of the inputs")


def _inputs(s: Settings) -> int:
    """The number of distinct inputs of the task (training and test)."""
    return TISHBY12_INPUTS if s.task == "tishby12" else s.samples


PARAMS = ParamSet(
    Param("task", str, "tishby12", "the task: tishby12 (all 4096 patterns of 12 bits), mixture, teacher",
          choices=TASKS),
    Param("layers", int, (10, 7, 5, 4, 3), "widths of the hidden layers (input 12, output 2)", low=1, high=4096,
          many=True),
    Param("phi", str, "tanh", "hidden activation", choices=tuple(ACTIVATIONS)),
    Param("epochs", int, 8000, "training epochs (0: only the untrained network)", low=0, high=10**7),
    Param("log_points", int, 50, "logged epochs: epoch 0 and this many on a geometric schedule up to epochs",
          low=1, high=10**5),
    Param("optimizer", str, "adam", "gd (full batch), sgd (minibatch, momentum) or adam", choices=OPTIMIZERS),
    Param("lr", float, 1e-3, "learning rate", low=0, low_open=True),
    Param("batch_size", int, 0, "minibatch size; 0 = full batch (gd, adam)", low=0),
    Param("momentum", float, 0.0, "heavy-ball momentum of sgd", low=0, high=1, high_open=True),
    Param("sigma_w2", float, 1.0, "initial weight variance × fan-in", low=0, low_open=True),
    Param("sigma_b2", float, 0.0, "initial bias variance", low=0),
    Param("estimator", str, "binning", "MI estimator: binning, kde (pairwise bounds), ksg (nearest neighbours)",
          choices=ESTIMATORS),
    Param("bins", int, 30, "bins per unit (binning)", low=2, high=10**6),
    Param("binning", str, "fixed", "fixed edges on [bin_low, bin_high], adaptive (layer range), equal-mass",
          choices=BINNINGS),
    Param("bin_low", float, -1.0, "lower edge of the fixed bins"),
    Param("bin_high", float, 1.0, "upper edge of the fixed bins"),
    Param("noise_var", float, 0.1, "variance of the Gaussian noise added to T (kde, ksg)", low=0, low_open=True),
    Param("knn_k", int, 3, "neighbours of the ksg estimator", low=1),
    Param("samples", int, 4096, "inputs drawn for the mixture and teacher tasks (4 in 5 for training)", low=20,
          high=10**5),
    Param("separation", float, 3.0, "distance between the two class means (mixture)", low=0, low_open=True),
    Param("replicate", int, 0, "index of an independent repetition (split, initialisation, minibatches)", low=0),
    seed_param(),
    check=_check,
)


class InfoPlane(Simulation):
    """Phase ``train``: unit 0 logs the untrained network, unit e ≥ 1 trains epoch e and logs it if e is on
    the schedule. State: the trainer's (``trainer``: params, step, moments, rng, order, cursor)."""

    streams = {"data": 1, "init": 2, "trainer": 3, "noise": 4}

    @property
    def observables(self) -> dict:
        hidden, weights = (len(self.settings.layers),), (len(self.settings.layers) + 1,)
        out = {name: (np.float64, hidden, ("layer",)) for name in self.mi_names}
        out.update({name: (np.float64, ()) for name in ("train_loss", "test_loss", "test_accuracy")})
        out.update({name: (np.float64, weights, ("weight_layer",)) for name in ("grad_mean", "grad_std")})
        return out

    @property
    def mi_names(self) -> tuple[str, ...]:
        lower = ("mi_xt_lower", "mi_ty_lower") if self.settings.estimator == "kde" else ()
        return ("mi_xt", "mi_ty", *lower)

    def phases(self) -> dict[str, int]:
        return {"train": self.settings.epochs + 1}

    @cached_property
    def split(self):
        s = self.settings
        return task_split(s.task, self.stream("data", s.replicate), s.samples, s.separation)

    @cached_property
    def net(self) -> MLP:
        return MLP((INPUT_DIM, *self.settings.layers, 2), self.settings.phi)

    @cached_property
    def objectives(self) -> tuple[Objective, Objective]:
        sp = self.split
        return (Objective(self.net, "cross_entropy", sp.x_train, sp.y_train),
                Objective(self.net, "cross_entropy", sp.x_test, sp.y_test))

    @cached_property
    def trainer(self):
        s = self.settings
        batch = s.batch_size or None
        if s.optimizer == "gd":
            return GD(s.lr)
        if s.optimizer == "sgd":
            return SGD(s.lr, batch, s.momentum)
        return Adam(s.lr, batch_size=batch)

    @cached_property
    def steps_per_epoch(self) -> int:
        return 1 if not self.settings.batch_size else len(self.split.y_train) // self.settings.batch_size

    @cached_property
    def schedule(self) -> np.ndarray:
        return log_epochs(self.settings.epochs, self.settings.log_points)

    @cached_property
    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """All distinct inputs and their labels (training then test)."""
        sp = self.split
        return np.concatenate([sp.x_train, sp.x_test]), np.concatenate([sp.y_train, sp.y_test])

    def init_state(self) -> dict:
        s = self.settings
        theta = self.net.init(self.stream("init", s.replicate), s.sigma_w2, s.sigma_b2)
        train = self.objectives[0]
        return {"trainer": self.trainer.init(theta, self.stream("trainer", s.replicate), train.n_samples)}

    def measure(self, theta: np.ndarray, epoch: int) -> dict[str, np.ndarray]:
        """Every observable of one logged epoch."""
        s = self.settings
        x, y = self.inputs
        hidden = self.net.representations(theta, x)[:-1]
        row = information(hidden, y, s.estimator, bins=s.bins, binning=s.binning, bin_low=s.bin_low,
                          bin_high=s.bin_high, noise_var=s.noise_var, knn_k=s.knn_k,
                          seed=self.stream("noise", s.replicate, epoch))
        train, test = self.objectives
        row["train_loss"], row["test_loss"] = train.value(theta), test.value(theta)
        row["test_accuracy"] = float(np.mean(self.net.forward(theta, test.x).argmax(axis=1) == test.y))
        row["grad_mean"], row["grad_std"] = gradient_moments(train, theta)
        return row

    def step(self, state, phase: str, start: int, n: int) -> dict:
        trainer, objective = self.trainer, self.objectives[0]
        logged, rows = [], []
        for epoch in range(start, start + n):
            if epoch > 0:
                for _ in range(self.steps_per_epoch):
                    trainer.step(state["trainer"], objective)
            if epoch in self._logged:
                logged.append(epoch)
                rows.append(self.measure(state["trainer"]["params"], epoch))
        if not rows:
            return {}
        steps = np.array(logged, dtype=np.int64)
        return {name: (steps, np.array([r[name] for r in rows], dtype=np.float64)) for name in self.observables}

    @cached_property
    def _logged(self) -> frozenset:
        return frozenset(int(e) for e in self.schedule)

    def results(self, state) -> dict[str, np.ndarray]:
        """H(Y) and log2(n) in bits (the ceilings of the plane), the split's sizes, the fraction of label 1."""
        y = self.inputs[1]
        return {"h_y": np.float64(entropy_bits(y)), "log2_inputs": np.float64(math.log2(len(y))),
                "n_train": np.int64(len(self.split.y_train)), "n_test": np.int64(len(self.split.y_test)),
                "fraction_ones": np.float64(np.mean(y))}


def _memory(s: Settings) -> tuple[float, str]:
    return 8.0 * _inputs(s) * (INPUT_DIM + 4 * sum(s.layers) + 16), "samples"


STUDY = Study("info-plane", "mutual information of hidden layers with inputs and labels during training",
              PARAMS, InfoPlane, summarize=analyze, memory=_memory,
              example={"task": "tishby12", "layers": (6, 4, 3), "epochs": 40, "log_points": 6, "lr": 0.01})
