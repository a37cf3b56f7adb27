"""Small classification tasks for kernel and network experiments (inputs in R^dim, labels 0..classes−1)."""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError


def _check(n_train: int, n_test: int, dim: int, classes: int) -> None:
    for name, value, low in (("n_train", n_train, 1), ("n_test", n_test, 1), ("dim", dim, 1), ("classes", classes, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError(name, value, f"an integer >= {low}")


def _split(x, y, n_train, classes):
    return {"x_train": x[:n_train], "y_train": y[:n_train], "x_test": x[n_train:], "y_test": y[n_train:],
            "classes": classes}


def mixture_task(rng: np.random.Generator, n_train: int, n_test: int, dim: int, classes: int,
                 separation: float = 1.0) -> dict:
    """Gaussian mixture: class centres μ_c ~ N(0, separation²/dim I)·√dim (|μ_c| ≈ separation·√dim), points
    x = μ_y + N(0, I), y uniform. Returns dict(x_train, y_train, x_test, y_test, classes)."""
    _check(n_train, n_test, dim, classes)
    if not separation > 0:
        raise ParameterError("separation", separation, "a number > 0")
    centres = separation * rng.standard_normal((classes, dim))
    y = rng.integers(0, classes, n_train + n_test)
    return _split(centres[y] + rng.standard_normal((y.size, dim)), y, n_train, classes)


def teacher_network_task(rng: np.random.Generator, n_train: int, n_test: int, dim: int, classes: int,
                         hidden: int = 64, sigma_w2: float = 2.0) -> dict:
    """Teacher network: x ~ N(0, I), label = arg-max of a random one-hidden-layer tanh network
    V tanh(W x/√dim) with W_ij ~ N(0, σ_w²), V_cj ~ N(0, 1/hidden)."""
    _check(n_train, n_test, dim, classes)
    w = np.sqrt(sigma_w2) * rng.standard_normal((hidden, dim))
    v = rng.standard_normal((classes, hidden)) / np.sqrt(hidden)
    x = rng.standard_normal((n_train + n_test, dim))
    y = np.argmax(np.tanh(x @ w.T / np.sqrt(dim)) @ v.T, axis=1)
    return _split(x, y, n_train, classes)
