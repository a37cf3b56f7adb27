"""Validation of user input shared by the spin-glass modules: every failure is a ParameterError naming the input."""
from __future__ import annotations

import numpy as np

from statmech_nn.errors import ParameterError


def integer(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (high None: unbounded); bools and non-integers are rejected."""
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer))
    if not ok or value < low or (high is not None and value > high):
        raise ParameterError(name, value, f"an integer in [{low}, {'∞' if high is None else high}]")
    return int(value)


def positive(name: str, value) -> float:
    """``value`` as a finite float > 0."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if isinstance(value, (bool, np.bool_)) or not np.isfinite(x) or x <= 0.0:
        raise ParameterError(name, value, "a finite number > 0")
    return x


def temperatures(name: str, values) -> np.ndarray:
    """A non-empty 1-D float64 array of finite temperatures > 0."""
    try:
        t = np.array(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ParameterError(name, values, "finite temperatures > 0") from None
    if t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0.0):
        raise ParameterError(name, values, "a non-empty list of finite temperatures > 0")
    return t
