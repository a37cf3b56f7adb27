"""A study: declared parameters plus a builder of its :class:`~statmech_nn.runner.Simulation`.

:func:`run_study` is the whole life of one run — validate, create or reopen the file, execute, commit — shared by
the command line, Python callers and sweep workers.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ResumeError
from .io.provenance import collect
from .io.runfile import RunWriter, check_output_path, read_run
from .params import Param, ParamSet, Settings
from .rng import seed_sequence
from .runner import Outcome, RunOptions, Simulation, execute


def seed_param(doc: str = "root seed of the run (stored in the file)") -> Param:
    """The ``seed`` declaration every study shares."""
    return Param("seed", int, None, doc, low=0, high=2**63 - 1, factory=lambda: secrets.randbits(63))


@dataclass(frozen=True)
class Study:
    """``batch`` (optional) evaluates the summaries of many points in one call, e.g. a mean-field grid; it returns
    one ``{name: (value, error, tau)}`` per point, the same numbers as analysing each point's run, or ``None``
    when the points need real runs (then a sweep runs them one task per point)."""

    name: str
    summary: str
    params: ParamSet
    build: Callable[[Settings, np.random.SeedSequence], Simulation]
    batch: Callable[[list[Settings]], list[dict[str, tuple[float, float, float]]] | None] | None = None

    def settings(self, values: Mapping[str, Any]) -> Settings:
        return self.params.resolve(values)

    def simulation(self, settings: Settings, point: tuple[int, ...] = ()) -> Simulation:
        """The simulation for ``settings``; ``point`` keys a sweep point's child stream of the root seed."""
        return self.build(settings, seed_sequence(settings["seed"], *point))


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


def run_study(study: Study, values: Mapping[str, Any], out: str | Path, *, resume: bool = False,
              overwrite: bool = False, options: RunOptions = RunOptions(), argv: list[str] | None = None,
              point: tuple[int, ...] = ()) -> Outcome:
    """Run (or resume) one simulation of ``study`` into ``out``. Every check happens before any file is touched."""
    path = check_output_path(out, resume=resume, overwrite=overwrite)
    if resume:
        run = read_run(path)
        if run.study != study.name:
            raise ResumeError(f"{path}: holds a '{run.study}' run, not '{study.name}'")
        if run.status == "complete":
            raise ResumeError(f"{path}: the run is complete; nothing to resume")
        settings = _resume_settings(study, run.parameters, values)
        sim = study.simulation(settings, point)
        state = sim.init_state()  # a run killed before its first commit restarts from scratch
        if run.checkpoint:
            state = {k: np.array(run.checkpoint[k], dtype=v.dtype) for k, v in state.items()}
        writer = RunWriter(path)
        writer.note(f"resumed: {collect(argv=argv)['command_line']}")
        rows = int(len(next(iter(run.observables.values()), ())))
    else:
        settings = study.settings(values)
        sim = study.simulation(settings, point)
        state = sim.init_state()
        writer = RunWriter.create(path, study.name, settings, collect(settings["seed"], argv), sim.observables)
        rows = 0
    return execute(sim, writer, state, options, rows_stored=rows)
