"""One declaration per parameter.

A study declares each parameter once as a :class:`Param` (name, type, default, allowed range, one-line doc).
The command-line flags, ``--help``, sweep-spec keys, validation and the ``/parameters`` group of a run file all
derive from that declaration. :meth:`ParamSet.resolve` turns user values (Python objects or command-line strings)
into immutable :class:`Settings`, raising :class:`~statmech_nn.errors.ParameterError` with the parameter's name,
the value and what is allowed.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError


@dataclass(frozen=True)
class Param:
    """A declared parameter. Bounds are inclusive unless ``*_open``. Without a value the parameter takes
    ``default``, or ``factory()`` when given (e.g. fresh seed entropy); with neither it is required."""

    name: str
    type: type
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None
    factory: Callable[[], Any] | None = None

    @property
    def flag(self) -> str:
        """The command-line flag: underscores written as hyphens."""
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        """What the declaration allows, in words."""
        if self.choices is not None:
            return "one of " + ", ".join(map(str, self.choices))
        text = {int: "an integer", float: "a finite real number", str: "a string"}[self.type]
        bounds = []
        if self.low is not None:
            bounds.append(("> " if self.low_open else ">= ") + _fmt(self.low))
        if self.high is not None:
            bounds.append(("< " if self.high_open else "<= ") + _fmt(self.high))
        return text + (" " + " and ".join(bounds) if bounds else "")

    def coerce(self, value: Any) -> Any:
        """Validate ``value`` (a Python object or a command-line string) and return it as the declared type."""
        out = self._as_type(value)
        if self.choices is not None and out not in self.choices:
            raise ParameterError(self.name, value, self.allowed())
        if self.low is not None and (out < self.low or (self.low_open and out == self.low)):
            raise ParameterError(self.name, value, self.allowed())
        if self.high is not None and (out > self.high or (self.high_open and out == self.high)):
            raise ParameterError(self.name, value, self.allowed())
        return out

    def _as_type(self, value: Any) -> Any:
        bad = ParameterError(self.name, value, self.allowed())
        if self.type is str:
            if not isinstance(value, str):
                raise bad
            return value
        if isinstance(value, bool) or value is None:
            raise bad
        if isinstance(value, str):
            try:
                value = float(value) if self.type is float else _parse_int(value)
            except ValueError:
                raise bad from None
        if not isinstance(value, numbers.Real):
            raise bad
        if self.type is int:
            if isinstance(value, numbers.Integral):
                return int(value)
            if math.isfinite(value) and float(value).is_integer():
                return int(value)
            raise bad
        value = float(value)
        if not math.isfinite(value):
            raise bad
        return value


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)  # accepts "2e4"; non-integral values are rejected by the caller
        if not (math.isfinite(number) and number.is_integer()):
            raise
        return int(number)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


class Settings(Mapping):
    """Immutable validated parameter values, readable as ``settings.T`` or ``settings["T"]``."""

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        raise AttributeError("Settings are immutable")

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"

    def replace(self, **changes: Any) -> Settings:
        return Settings({**self._values, **changes})


class ParamSet:
    """The ordered parameter declarations of a study, plus a cross-parameter ``check(settings)``."""

    def __init__(self, *params: Param, check: Callable[[Settings], None] | None = None):
        self.params = {p.name: p for p in params}
        if len(self.params) != len(params):
            raise ValueError("duplicate parameter names")
        self._check = check

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params.values())

    def __contains__(self, name: str) -> bool:
        return name in self.params

    def __getitem__(self, name: str) -> Param:
        return self.params[name]

    def resolve(self, values: Mapping[str, Any]) -> Settings:
        """Validated settings from ``values`` (missing ones take their defaults; unknown names are errors)."""
        for name in values:
            if name not in self.params:
                raise ParameterError(name, values[name], "a declared parameter: " + ", ".join(self.params))
        out = {}
        for p in self:
            if values.get(p.name) is not None:
                out[p.name] = p.coerce(values[p.name])
            elif p.factory is not None:
                out[p.name] = p.factory()
            elif p.default is None:
                raise ParameterError(p.name, None, "a value is required; " + p.allowed())
            else:
                out[p.name] = p.default
        settings = Settings(out)
        if self._check is not None:
            self._check(settings)
        return settings
