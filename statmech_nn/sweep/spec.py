"""Sweep specifications (TOML): a study, a root seed, fixed parameters and grid axes.

::

    study = "ising"          # a study (a subcommand of statmech-nn)
    seed = 7                 # root seed of the sweep (default: fresh entropy, stored in the sweep file)
    [fixed]                  # declared parameters held fixed
    algorithm = "wolff"
    [grid]                   # axes, in this order
    L = [8, 16, 32]                                 # a list
    T = {start = 2.1, stop = 2.45, num = 15}        # linear; add `log = true` for geometric spacing

:func:`load_spec` validates everything, including every grid point's parameters through the study's
:meth:`~statmech_nn.params.ParamSet.resolve` (which runs cross-checks), so a :class:`Spec` is always runnable.
Point ``index`` is the C-order ravel index of the grid; its random stream is ``seed_sequence(seed, index)``.
"""
from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ..errors import ParameterError, SpecError
from ..params import Param
from ..study import get_study

TOP_LEVEL = ("study", "seed", "fixed", "grid")
_RANGE_KEYS = ("start", "stop", "num", "log")
#: The most points a sweep may have unless the caller raises the cap (``--max-points``).
MAX_POINTS = 100_000
_AXIS_FORMS = "a non-empty list, or a table {start, stop, num} with optional log = true"


@dataclass(frozen=True)
class Spec:
    """A validated sweep: ``parameters`` are the resolved non-grid parameters (defaults and the root seed
    included), ``axes`` the grid in spec order, ``text`` the TOML source."""

    study: str
    seed: int
    seed_given: bool
    axes: dict[str, np.ndarray]
    parameters: dict[str, Any]
    text: str

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def point(self, index: int) -> dict[str, Any]:
        """The grid values of point ``index`` (C-order ravel index), as plain Python values."""
        where = np.unravel_index(index, self.shape)
        return {name: values[i].item() for (name, values), i in zip(self.axes.items(), where)}

    def values(self, index: int) -> dict[str, Any]:
        """The parameters of point ``index``'s run: the non-grid parameters (root seed included) and its grid values."""
        return {**self.parameters, **self.point(index)}

    def canonical(self) -> str:
        """The content of the spec, independent of TOML formatting (compared by ``--resume``)."""
        return json.dumps({"study": self.study, "seed": self.seed,
                           "parameters": dict(sorted(self.parameters.items())),
                           "grid": [[name, values.tolist()] for name, values in self.axes.items()]})

    def with_seed(self, seed: int) -> Spec:
        return replace(self, seed=seed, parameters={**self.parameters, "seed": seed})


def load_spec(source: Spec | Mapping | str | os.PathLike, max_points: int = MAX_POINTS) -> Spec:
    """A validated :class:`Spec` from a TOML file path, a mapping of the same structure, or a Spec; a grid of more
    than ``max_points`` points is refused before any point is built."""
    if isinstance(source, Spec):
        return source
    if isinstance(source, Mapping):
        return _build(source, dump_toml(source), max_points)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read the spec ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}") from None
    return _build(data, text, max_points)


def _axis_length(name: str, raw: Any) -> int:
    if isinstance(raw, list):
        return len(raw)
    if isinstance(raw, Mapping):
        num = raw.get("num")
        if isinstance(num, int) and not isinstance(num, bool):
            return max(num, 1)
    return 1  # malformed: _axis explains what is wrong


def _build(data: Mapping, text: str, max_points: int = MAX_POINTS) -> Spec:
    for key in data:
        if key not in TOP_LEVEL:
            raise SpecError(f"unknown top-level key '{key}' in the spec; allowed: study, seed, [fixed], [grid]")
    name = data.get("study")
    if not isinstance(name, str):
        raise SpecError(f"spec key 'study': got {name!r}; allowed: the name of a study, e.g. study = \"ising\"")
    study = get_study(name)
    fixed, grid = _table(data, "fixed"), _table(data, "grid")
    for table, keys in (("fixed", fixed), ("grid", grid)):
        for key in keys:
            if key == "seed":
                raise SpecError(f"key 'seed' in [{table}]: the root seed is a top-level key (seed = N)")
            if key not in study.params:
                declared = ", ".join(p.name for p in study.params if p.name != "seed")
                raise SpecError(f"key '{key}' in [{table}]: not a parameter of study '{name}'; allowed: {declared}")
    both = [key for key in grid if key in fixed]
    if both:
        raise SpecError(f"parameter '{both[0]}' is in both [fixed] and [grid]; give it in one of them")
    if not grid:
        raise SpecError("the spec needs a [grid] table with at least one axis")
    size = math.prod(_axis_length(key, value) for key, value in grid.items())
    if size > max_points:
        raise SpecError(f"the grid has {size} points; allowed: at most {max_points} (raise the cap with "
                        "--max-points if that many runs are meant)")
    seed_param = study.params["seed"]
    seed_given = data.get("seed") is not None
    seed = seed_param.coerce(data["seed"]) if seed_given else seed_param.factory()
    fixed = {key: study.params[key].coerce(value) for key, value in fixed.items()}
    axes = {key: _axis(study.params[key], value) for key, value in grid.items()}
    spec = Spec(name, seed, seed_given, axes, {**fixed, "seed": seed}, text)
    settings = None
    for index in range(spec.size):
        try:
            settings = study.settings(spec.values(index))
        except ParameterError as exc:  # from a cross-check: it names the parameter; add the point
            point = ", ".join(f"{k}={v}" for k, v in spec.point(index).items())
            raise SpecError(f"grid point {index} ({point}): {exc}") from None
    return replace(spec, parameters={k: v for k, v in settings.items() if k not in axes})


def _table(data: Mapping, key: str) -> Mapping:
    table = data.get(key, {})
    if not isinstance(table, Mapping):
        raise SpecError(f"spec key '{key}': got {table!r}; allowed: a table [{key}]")
    return table


def _number(axis: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SpecError(f"grid axis '{axis}': '{key}' = {value!r}; allowed: a finite number")
    return float(value)


def _axis(param: Param, raw: Any) -> np.ndarray:
    """The values of one grid axis, each validated by the parameter's declaration."""
    name = param.name
    if isinstance(raw, list):
        if not raw:
            raise SpecError(f"grid axis '{name}': empty list; allowed: {_AXIS_FORMS}")
        values = [param.coerce(v) for v in raw]
    elif isinstance(raw, Mapping):
        values = [param.coerce(v) for v in _range(param, raw)]
    else:
        raise SpecError(f"grid axis '{name}': got {raw!r}; allowed: {_AXIS_FORMS}")
    dtype = {int: np.int64, float: np.float64, str: np.str_}[param.type]
    return np.array(values, dtype=dtype)


def _range(param: Param, raw: Mapping) -> list:
    name = param.name
    unknown = [k for k in raw if k not in _RANGE_KEYS]
    missing = [k for k in ("start", "stop", "num") if k not in raw]
    if unknown or missing:
        what = f"unknown key '{unknown[0]}'" if unknown else f"missing key '{missing[0]}'"
        raise SpecError(f"grid axis '{name}': {what}; allowed: {_AXIS_FORMS}")
    if param.type is str:
        raise SpecError(f"grid axis '{name}': a range needs a numeric parameter; give a list of strings")
    start, stop = _number(name, "start", raw["start"]), _number(name, "stop", raw["stop"])
    num, log = raw["num"], raw.get("log", False)
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise SpecError(f"grid axis '{name}': 'num' = {num!r}; allowed: an integer >= 1")
    if not isinstance(log, bool):
        raise SpecError(f"grid axis '{name}': 'log' = {log!r}; allowed: true or false")
    if log and (start <= 0 or stop <= 0):
        raise SpecError(f"grid axis '{name}': log = true needs start > 0 and stop > 0; got {start:g}, {stop:g}")
    values = (np.geomspace if log else np.linspace)(start, stop, num)
    if param.type is int:
        rounded = np.round(values)
        if not np.allclose(values, rounded, rtol=1e-9, atol=1e-9):
            raise SpecError(f"grid axis '{name}': the range gives non-integer values "
                            f"{', '.join(f'{v:g}' for v in values[:6])}; parameter '{name}' is an integer")
        return [int(v) for v in rounded]
    return [float(v) for v in values]


def dump_toml(data: Mapping) -> str:
    """TOML text for a spec given as a mapping (top-level scalars, then tables of scalars, lists, inline tables)."""
    scalars = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, Mapping) and v is not None]
    tables = [f"\n[{_key(k)}]\n" + "".join(f"{_key(kk)} = {_value(vv)}\n" for kk, vv in v.items())
              for k, v in data.items() if isinstance(v, Mapping)]
    return "\n".join(scalars) + "\n" + "".join(tables)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


def spec_difference(old: str, new: str) -> str | None:
    """Where the canonical spec ``new`` differs from ``old`` (None if it does not), in words."""
    a, b = json.loads(old), json.loads(new)
    for key in ("study", "seed"):
        if a[key] != b[key]:
            return f"'{key}' is {b[key]!r} in the spec but {a[key]!r} in the sweep"
    for name in sorted(a["parameters"].keys() | b["parameters"].keys()):
        if a["parameters"].get(name) != b["parameters"].get(name):
            return (f"parameter '{name}' is {b['parameters'].get(name)!r} in the spec but "
                    f"{a['parameters'].get(name)!r} in the sweep")
    old_axes, new_axes = dict(a["grid"]), dict(b["grid"])
    if list(old_axes) != list(new_axes):
        return f"the grid axes are {', '.join(new_axes)} in the spec but {', '.join(old_axes)} in the sweep"
    for name, values in new_axes.items():
        if values != old_axes[name]:
            return f"grid axis '{name}' has other values in the spec than in the sweep"
    return None
