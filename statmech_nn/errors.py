"""Exceptions that explain themselves.

Every error a user can cause is a :class:`StatmechError`; the command line prints its message as one line and
exits with status 2 (1 for a :class:`StorageError`: a full or read-only disk). Anything else is a bug and keeps its
traceback.
"""
from __future__ import annotations


class StatmechError(Exception):
    """Base class of all user-facing errors."""


class ParameterError(StatmechError, ValueError):
    """A parameter value outside what its declaration allows."""

    def __init__(self, name: str, value, allowed: str):
        self.name, self.value, self.allowed = name, value, allowed
        super().__init__(f"parameter '{name}': got {value!r}; allowed: {allowed}")


class SpecError(StatmechError, ValueError):
    """A sweep specification that cannot be run (unknown key, empty axis, wrong type, unknown study)."""


class OutputError(StatmechError, OSError):
    """An output path that cannot be written, or that exists without --resume/--overwrite."""


class StorageError(StatmechError, OSError):
    """The disk filled up or stopped being writable during a run; what was committed before is intact.
    The command line exits with status 1 (the input was fine; the machine was not)."""


class FormatError(StatmechError, ValueError):
    """A file that is not a statmech_nn run or sweep, or not in a state the operation needs."""


class ResumeError(StatmechError, ValueError):
    """A run that cannot be resumed as asked (finished already, or different parameters)."""
