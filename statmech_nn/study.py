"""A study: declared parameters, its :class:`~statmech_nn.runner.Simulation` class and its summaries; the registry.

:func:`run_study` is the whole life of one run — validate, create or reopen the file, execute, commit — shared by
the command line, Python callers (:func:`statmech_nn.run`) and sweep workers.

Studies are found through the ``statmech_nn.studies`` entry-point group (``name = module:STUDY``), so the library
never imports the modules that declare them: :func:`get_study` loads one study's module on demand, :func:`studies`
loads them all (the command line does, to list them). A package of one's own registers studies the same way.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FormatError, ResumeError, SpecError
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
    ``example`` holds small settings (seconds to run) used by the contract test and the docs."""

    name: str
    summary: str
    params: ParamSet
    simulation: type[Simulation]
    summarize: Callable[[Run], dict[str, Estimate]] | None = None
    batch: Callable[[list[Settings]], list[dict[str, tuple[float, float, float]]] | None] | None = None
    example: Mapping[str, Any] = field(default_factory=dict)

    def settings(self, values: Mapping[str, Any]) -> Settings:
        return self.params.resolve(values)

    def build(self, settings: Settings, point: tuple[int, ...] = ()) -> Simulation:
        """The simulation for ``settings``; ``point`` keys a sweep point's child stream of the root seed."""
        return self.simulation(settings, seed_sequence(settings["seed"], *point))

    def analyze(self, run: Run) -> dict[str, Estimate]:
        if self.summarize is None:
            raise FormatError(f"{run.path}: study '{self.name}' has no summaries")
        return self.summarize(run)


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


def _like(template, stored):
    """``stored`` checkpoint arrays cast to the dtypes (and nesting) of a fresh state ``template``."""
    if isinstance(template, dict):
        return {k: _like(v, stored[k]) for k, v in template.items()}
    return np.array(stored, dtype=template.dtype)


def run_study(study: Study, values: Mapping[str, Any], out: str | Path | None, *, resume: bool = False,
              overwrite: bool = False, options: RunOptions = RunOptions(), argv: list[str] | None = None,
              point: tuple[int, ...] = ()) -> Outcome:
    """Run (or resume) one simulation of ``study`` into ``out`` (``None``: in memory, see
    :class:`~statmech_nn.io.runfile.MemoryWriter`). Every check happens before any file is touched."""
    if out is None:
        settings = study.settings(values)
        sim = study.build(settings, point)
        writer = MemoryWriter(study.name, settings, collect(settings["seed"], argv), sim.row_specs())
        outcome = execute(sim, writer, sim.start(), options)
        return Outcome(outcome.status, outcome.rows, outcome.done, outcome.total, writer.run())
    path = check_output_path(out, resume=resume, overwrite=overwrite)
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
            state = _like(state, run.checkpoint)
        writer = RunWriter(path)
        writer.note(f"resumed: {collect(argv=argv)['command_line']}")
        rows = int(run.rows)
    else:
        settings = study.settings(values)
        sim = study.build(settings, point)
        state = sim.start()
        writer = RunWriter.create(path, study.name, settings, collect(settings["seed"], argv), sim.row_specs())
        rows = 0
    return execute(sim, writer, state, options, rows_stored=rows)
