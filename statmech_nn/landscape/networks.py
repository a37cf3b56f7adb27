"""Loss landscapes of small networks (Ballard et al., PCCP 19, 12585 (2017); Mehta, Zhao, Bernal & Wales,
"Loss surface of XOR artificial neural networks", PRE 97, 052307 (2018)).

* ``xor``: the four XOR patterns, a (2, h, 2) tanh network, softmax cross-entropy; the "test loss" is the data
  term alone (the four patterns are all there is) and the accuracy is that of the arg-max read-out.
* ``teacher``: inputs x ~ N(0, 1)^d, targets of a (d, h_teacher, 1) tanh teacher (:func:`statmech_nn.nets.data.teacher`),
  a (d, h, 1) tanh student, mean squared error; test loss on ``test_samples`` fresh teacher samples.

Both with weight decay (l2/2)|θ|² (without it, cross-entropy minima run off to infinity).
"""
from __future__ import annotations

import numpy as np

from statmech_nn.nets import data
from statmech_nn.nets.mlp import MLP, Objective

from .systems import NetworkLoss

TASKS = ("xor", "teacher")


def network_system(task: str, hidden: int, l2: float, seed=None, samples: int = 100, test_samples: int = 1000,
                   inputs: int = 5, teacher_hidden: int = 4, init_scale: float = 1.0) -> NetworkLoss:
    """The :class:`NetworkLoss` of ``task`` (see the module docstring); ``seed`` draws the teacher and its data."""
    if task == "xor":
        x, y = data.xor()
        objective = Objective(MLP((2, hidden, 2), "tanh"), "cross_entropy", x, y, l2)
        plain = Objective(objective.model, "cross_entropy", x, y, 0.0)
        return NetworkLoss(objective, test=plain.value, init_scale=init_scale)
    x, y, _ = data.teacher(seed, samples + test_samples, (inputs, teacher_hidden, 1))
    objective = Objective(MLP((inputs, hidden, 1), "tanh"), "mse", x[:samples], y[:samples], l2)
    test = Objective(objective.model, "mse", x[samples:], y[samples:], 0.0)
    return NetworkLoss(objective, test=test.value, init_scale=init_scale)


def accuracy(system: NetworkLoss, theta) -> float:
    """Fraction of training samples classified right (arg-max read-out; sign for one output)."""
    obj = system.objective
    f = obj.model.forward(np.asarray(theta, dtype=np.float64), obj.x)
    if f.shape[1] == 1:
        return float(np.mean(np.sign(f[:, 0]) == np.sign(obj.y[:, 0])))
    return float(np.mean(f.argmax(1) == obj.y))
