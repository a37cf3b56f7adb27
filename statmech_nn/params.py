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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .errors import ParameterError

#: The most values a list parameter takes.
MAX_LIST = 100_000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


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
    many: bool = False  # a list of values: "1,2,3", "a:b:n" (n evenly spaced from a to b) or a sequence
    min_len: int = 1
    switch: bool = False  # a 0/1 integer whose flag alone means 1 (``--finite-width`` = ``--finite-width 1``)

    def check(self, ok: bool, value: Any, allowed: str | None = None) -> None:
        """Raise this parameter's :class:`ParameterError` unless ``ok`` (for cross-parameter checks)."""
        if not ok:
            raise ParameterError(self.name, value, allowed or self.allowed())

    @property
    def flag(self) -> str:
        """The command-line flag: underscores written as hyphens."""
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        """What the declaration allows, in words."""
        if self.many:
            one = replace(self, many=False).allowed()
            what = "a comma-separated list" + (" or a:b:n range" if self.type is float else "")
            return f"{what} of at least {self.min_len} value{'s' * (self.min_len != 1)}, each {one}"
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
        """Validate ``value`` (a Python object or a command-line string) and return it as the declared type
        (a tuple of them for a list parameter)."""
        if self.many:
            items = _split_list(value, self.type is float)
            if items is None or len(items) < self.min_len:
                raise ParameterError(self.name, value, self.allowed())
            one = replace(self, many=False)
            try:
                return tuple(one.coerce(item) for item in items)
            except ParameterError:
                raise ParameterError(self.name, value, self.allowed()) from None
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
            if isinstance(value, numbers.Integral) or (math.isfinite(value) and float(value).is_integer()):
                if not INT64_MIN <= int(value) <= INT64_MAX:  # every integer must fit the file's int64
                    raise bad
                return int(value)
            raise bad
        value = float(value)
        if not math.isfinite(value):
            raise bad
        return value


def _split_list(value: Any, ranges: bool) -> list | None:
    """The items of a list value: a string "1,2,3" (or "a:b:n" for real values), or a sequence/array."""
    if isinstance(value, str):
        text = value.strip()
        if ranges and text.count(":") == 2 and "," not in text:
            try:
                a, b, n = text.split(":")
                start, stop, num = float(a), float(b), _parse_int(n)
            except ValueError:
                return None
            if not (math.isfinite(start) and math.isfinite(stop)) or not 1 <= num <= MAX_LIST:
                return None
            return [float(x) for x in np.linspace(start, stop, num)]
        items = [t.strip() for t in text.split(",")]
        return None if "" in items or len(items) > MAX_LIST else items
    if isinstance(value, (bytes, bool, numbers.Number)) or value is None:
        return [value] if isinstance(value, numbers.Number) and not isinstance(value, bool) else None
    try:
        items = list(np.asarray(value).ravel().tolist()) if isinstance(value, np.ndarray) else list(value)
    except TypeError:
        return None
    return items if len(items) <= MAX_LIST else None


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
        self.renamed: dict[str, str] = {}
        self.base: ParamSet | None = None

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params.values())

    def __contains__(self, name: str) -> bool:
        return name in self.params

    def __getitem__(self, name: str) -> Param:
        return self.params[name]

    def derive(self, *extra: Param, rename: Mapping[str, str] | None = None,
               defaults: Mapping[str, Any] | None = None, drop: tuple[str, ...] = (),
               check: Callable[[Settings], None] | None = None) -> ParamSet:
        """A new set: these declarations renamed (``{old: new}``), with other ``defaults`` (by new name), without
        ``drop``, followed by ``extra``. :meth:`original` maps settings of the new set back to the old names."""
        rename, defaults = dict(rename or {}), dict(defaults or {})
        params = []
        for p in self:
            if p.name in drop:
                continue
            q = replace(p, name=rename.get(p.name, p.name))
            params.append(replace(q, default=defaults[q.name]) if q.name in defaults else q)
        out = ParamSet(*params, *extra, check=check)
        out.renamed = {new: old for old, new in rename.items()}
        out.base = self
        return out

    def original(self, settings: Mapping[str, Any]) -> Settings:
        """Settings of the set this one was derived from (renames undone), validated by it."""
        names = {self.renamed.get(k, k): v for k, v in settings.items()}
        return self.base.resolve({k: v for k, v in names.items() if k in self.base})

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
