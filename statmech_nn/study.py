"""A study: declared parameters, its :class:`~statmech_nn.runner.Simulation` class and its summaries; the registry.

:func:`run_study` is the whole life of one run — validate, create or reopen the file, execute, commit — shared by
the command line, Python callers (:func:`statmech_nn.run`) and sweep workers.

Studies are found through the ``statmech_nn.studies`` entry-point group (``name = module:STUDY``), so the library
never imports the modules that declare them: :func:`get_study` loads one study's module on demand, :func:`studies`
loads them all (the command line does, to list them). A package of one's own registers studies the same way.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FormatError, ParameterError, ResumeError, SpecError, StatmechError
from .io.atomic import WriterLock
from .io.provenance import collect
from .io.runfile import MemoryWriter, Run, RunWriter, check_output_path, read_run
from .params import Param, ParamSet, Settings
from .rng import seed_sequence
from .runner import Outcome, RunOptions, Simulation, execute
from .stats import Estimate

ENTRY_POINT_GROUP = "statmech_nn.studies"


def seed_param(doc: str = "root seed of the run (stored in the file)") -> Param:
    """The ``seed`` declaration every study shares."""
    return Param("seed", int, None, doc, low=0, high=2**63 - 1, factory=lambda: secrets.randbits(63))


@dataclass(frozen=True)
class Study:
    """A study as the command line, sweeps and Python see it.

    ``simulation`` is its :class:`Simulation` subclass, built as ``simulation(settings, seed)``. ``summarize``
    turns a run into named :class:`~statmech_nn.stats.Estimate`\\ s (what ``statmech-nn analyze`` prints and a sweep
    stores per point). ``batch`` (optional) evaluates the summaries of many points in one call, e.g. a mean-field
    grid; it returns one ``{name: (value, error, tau)}`` per point, or ``None`` when the points need real runs.
    ``example`` holds small settings (seconds to run) used by the contract test and the docs. ``memory``
    (optional) estimates the bytes a run's state needs and names the parameter that drives it, so that a run that
    cannot fit in this machine's memory is refused before anything is allocated."""

    name: str
    summary: str
    params: ParamSet
    simulation: type[Simulation]
    summarize: Callable[[Run], dict[str, Estimate]] | None = None
    batch: Callable[[list[Settings]], list[dict[str, tuple[float, float, float]]] | None] | None = None
    example: Mapping[str, Any] = field(default_factory=dict)
    memory: Callable[[Settings], tuple[float, str]] | None = None

    def settings(self, values: Mapping[str, Any]) -> Settings:
        """Validated settings, including the memory a run of them needs."""
        settings = self.params.resolve(values)
        if self.memory is not None:
            need, name = self.memory(settings)
            have = physical_memory()
            if need > have:
                raise ParameterError(name, settings[name], f"a value whose run fits in memory: it needs about "
                                     f"{need / 2**30:.3g} GiB, this machine has {have / 2**30:.3g} GiB")
        return settings

    def build(self, settings: Settings, point: tuple[int, ...] = ()) -> Simulation:
        """The simulation for ``settings``; ``point`` keys a sweep point's child stream of the root seed."""
        return self.simulation(settings, seed_sequence(settings["seed"], *point))

    def analyze(self, run: Run) -> dict[str, Estimate]:
        """The summaries of ``run``; a run whose content does not fit its study (damaged, or cut short) is a
        one-line FormatError naming the file."""
        if self.summarize is None:
            raise FormatError(f"{run.path}: study '{self.name}' has no summaries")
        with unreadable_content(run.path):
            return self.summarize(run)


def physical_memory() -> float:
    """Bytes of memory of this machine."""
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - platforms without sysconf
        return float("inf")


#: What damaged or foreign content raises inside code that expects a study's own run.
CONTENT_ERRORS = (KeyError, IndexError, ValueError, TypeError, ZeroDivisionError, AttributeError, OSError)


@contextmanager
def unreadable_content(path: str):
    """Turn what a damaged run makes summaries or figures raise into one line naming the file."""
    try:
        yield
    except FormatError:
        raise
    except StatmechError as exc:
        raise FormatError(f"{path}: {exc}") from None
    except CONTENT_ERRORS as exc:
        what = " ".join(str(exc).split()) or type(exc).__name__
        raise FormatError(f"{path}: damaged or incomplete run ({type(exc).__name__}: {what})") from None


@cache
def _entry_points() -> dict:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


@cache
def get_study(name: str) -> Study:
    """The registered study ``name`` (its module is imported on first use)."""
    try:
        ep = _entry_points()[name]
    except KeyError:
        raise SpecError(f"unknown study {name!r}; known: {', '.join(sorted(_entry_points()))}") from None
    study = ep.load()
    if not isinstance(study, Study) or study.name != name:
        raise SpecError(f"entry point {ep.value!r} does not name the study {name!r}")
    return study


def studies() -> dict[str, Study]:
    """Every registered study, by name, in the order of the entry points."""
    return {name: get_study(name) for name in _entry_points()}


def _resume_settings(study: Study, stored: Mapping[str, Any], given: Mapping[str, Any]) -> Settings:
    """Stored parameters, checked against any the user gave again."""
    settings = study.settings({k: v for k, v in stored.items() if k in study.params})
    for name, value in given.items():
        if value is not None and study.params[name].coerce(value) != settings[name]:
            raise ResumeError(
                f"parameter '{name}': got {value!r} but the run being resumed has {settings[name]!r}; "
                "a resumed run keeps its parameters"
            )
    return settings


def _like(template, stored, path: Path, where: str = ""):
    """``stored`` checkpoint arrays cast to the dtypes (and nesting) of a fresh state ``template``; a checkpoint
    that does not match it (missing entries, another nesting, a value that does not cast) is a FormatError."""
    if isinstance(template, dict):
        if not isinstance(stored, dict):
            raise FormatError(f"{path}: damaged checkpoint ({where or '/'} is not a group)")
        missing = [k for k in template if k not in stored]
        if missing:
            raise FormatError(f"{path}: damaged checkpoint (no {where}/{missing[0]})")
        return {k: _like(v, stored[k], path, f"{where}/{k}") for k, v in template.items()}
    if isinstance(stored, dict) or np.ndim(stored) != np.ndim(template):
        raise FormatError(f"{path}: damaged checkpoint ({where} has the wrong shape)")
    try:
        return np.array(stored, dtype=template.dtype)
    except (TypeError, ValueError):
        raise FormatError(f"{path}: damaged checkpoint ({where} does not hold {template.dtype})") from None


def run_study(study: Study, values: Mapping[str, Any], out: str | Path | None, *, resume: bool = False,
              overwrite: bool = False, options: RunOptions = RunOptions(), argv: list[str] | None = None,
              point: tuple[int, ...] = (), lock: bool = True) -> Outcome:
    """Run (or resume) one simulation of ``study`` into ``out`` (``None``: in memory, see
    :class:`~statmech_nn.io.runfile.MemoryWriter`). Every check happens before any file is touched. The file's
    :class:`~statmech_nn.io.atomic.WriterLock` is held throughout (``lock=False``: the caller holds it)."""
    if out is None:
        settings = study.settings(values)
        sim = study.build(settings, point)
        writer = MemoryWriter(study.name, settings, collect(settings["seed"], argv), sim.row_specs())
        outcome = execute(sim, writer, sim.start(), options)
        return Outcome(outcome.status, outcome.rows, outcome.done, outcome.total, writer.run())
    path = check_output_path(out, resume=resume, overwrite=overwrite)
    settings = None if resume else study.settings(values)  # every check before anything is created
    with WriterLock(path, "run file") if lock else nullcontext():
        if resume:
            run = read_run(path)
            if run.study != study.name:
                raise ResumeError(f"{path}: holds a '{run.study}' run, not '{study.name}'")
            if run.status == "complete":
                raise ResumeError(f"{path}: the run is complete; nothing to resume")
            settings = _resume_settings(study, run.parameters, values)
            sim = study.build(settings, point)
            state = sim.start()  # a run killed before its first commit restarts from scratch
            if run.checkpoint:
                state = _like(state, run.checkpoint, path)
            writer = RunWriter(path, rows=run.rows)
            writer.note(f"resumed: {collect(argv=argv)['command_line']}")
        else:
            check_output_path(path, overwrite=overwrite)  # again, now that no other writer can create it
            sim = study.build(settings, point)
            state = sim.start()
            writer = RunWriter.create(path, study.name, settings, collect(settings["seed"], argv), sim.row_specs())
        return execute(sim, writer, state, options, rows_stored=writer.rows)
