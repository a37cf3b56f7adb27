"""Final losses of many networks trained from independent random starts on one fixed task: the network side of
Choromanska, Henaff, Mathieu, Ben Arous & LeCun, "The loss surfaces of multilayer networks", AISTATS 2015
(their Fig. 1: the test losses of one-hidden-layer networks trained on MNIST concentrate in a band that narrows
as the number of hidden units grows, as the critical values of the spherical p-spin glass concentrate between
−E_0 and −E_∞ as N grows; :mod:`statmech_nn.spinglass.abc_theory`).

Tasks (made by :mod:`.data`, fixed by one seed, shared by every start): ``digits`` (8×8 glyphs, 10 classes,
cross-entropy), ``mixture`` (4 Gaussian classes in 8 dimensions at separation 3, cross-entropy), ``teacher``
(a random ReLU teacher 16-32-1 with label noise 0.1, mean squared error). Students: ReLU MLPs with ``depth``
hidden layers of equal width, fan-in initialisation W ~ N(0, 2/fan_in) (He et al. 2015), b = 0, trained by
minibatch SGD with momentum (:class:`.trainers.SGD`); the state is explicit, so a network's numbers depend only
on its seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from statmech_nn.errors import ParameterError

from . import data
from .mlp import MLP, Objective
from .trainers import SGD, run

TASKS = ("digits", "mixture", "teacher")
MIXTURE = {"k": 4, "d": 8, "separation": 3.0}
TEACHER_SIZES, TEACHER_NOISE = (16, 32, 1), 0.1
RELU_SIGMA_W2 = 2.0


@dataclass(frozen=True)
class Task:
    """A fixed train/test task: inputs, targets (labels or (n, k) values), the loss and the output width."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    loss: str
    n_outputs: int


def make_task(name: str, seed, n_train: int, n_test: int) -> Task:
    """The task ``name`` (see the module docstring) with ``n_train`` + ``n_test`` samples from ``seed``."""
    n = n_train + n_test
    if name == "digits":
        x, y = data.digits(seed, n)
        loss, k = "cross_entropy", 10
    elif name == "mixture":
        x, y = data.mixture(seed, n, **MIXTURE)
        loss, k = "cross_entropy", MIXTURE["k"]
    elif name == "teacher":
        x, y, _ = data.teacher(seed, n, TEACHER_SIZES, "relu", RELU_SIGMA_W2, 0.0, TEACHER_NOISE)
        loss, k = "mse", TEACHER_SIZES[-1]
    else:
        raise ParameterError("task", name, ", ".join(TASKS))
    return Task(x[:n_train], y[:n_train], x[n_train:], y[n_train:], loss, k)


def student(task: Task, width: int, depth: int) -> MLP:
    """A ReLU MLP with ``depth`` hidden layers of ``width`` units for ``task``."""
    return MLP((task.x_train.shape[1], *([width] * depth), task.n_outputs), "relu")


def train_from_start(task: Task, net: MLP, init_seed, order_seed, epochs: int, lr: float, batch_size: int,
                     momentum: float = 0.9) -> dict[str, float]:
    """Train ``net`` from θ ~ init(``init_seed``) for ``epochs`` epochs of SGD (minibatch order from
    ``order_seed``). Returns the final ``train_loss``, ``test_loss`` and, for classification, ``test_error``
    (fraction misclassified; NaN for regression)."""
    train = Objective(net, task.loss, task.x_train, task.y_train)
    test = Objective(net, task.loss, task.x_test, task.y_test)
    trainer = SGD(lr=lr, batch_size=batch_size, momentum=momentum)
    state = trainer.init(net.init(init_seed, RELU_SIGMA_W2, 0.0), order_seed, train.n_samples)
    run(trainer, state, train, epochs * (train.n_samples // batch_size))
    theta = state["params"]
    error = np.nan
    if task.loss == "cross_entropy":
        error = float(np.mean(net.forward(theta, task.x_test).argmax(axis=1) != task.y_test))
    return {"train_loss": train.value(theta), "test_loss": test.value(theta), "test_error": error}
