"""statmech_nn: the statistical mechanics of neural networks as a simulation laboratory.

The front door for Python::

    import statmech_nn as sm
    run = sm.run("ising", L=16, T=2.3, sweeps=2000, seed=1)   # in memory; out="ising.h5" writes a file
    run["energy"], run.results, sm.analyze(run)
    sweep = sm.open("binder.h5")                              # a Run or a Sweep, whichever the file holds
    sm.studies()                                              # every registered study by name
"""
from __future__ import annotations

__version__ = "0.2.0"


def open(path):  # noqa: A001 - the package's front door, as in h5py.File / xarray.open_dataset
    """The run or sweep stored at ``path``: a :class:`~statmech_nn.io.runfile.Run` (checkpoint read on demand)
    or a :class:`~statmech_nn.io.sweepfile.Sweep`."""
    from .io.runfile import file_format, read_run
    from .io.sweepfile import FORMAT_NAME as SWEEP_FORMAT, read_sweep

    return read_sweep(path) if file_format(path) == SWEEP_FORMAT else read_run(path)


def run(study: str, out=None, *, overwrite: bool = False, **params):
    """Run ``study`` with ``params`` (its declared parameters; defaults for the rest) and return the Run.
    ``out=None`` keeps everything in memory; a path writes a run file as the command line does."""
    from .io.runfile import read_run
    from .study import get_study, run_study

    outcome = run_study(get_study(study), params, out, overwrite=overwrite)
    return outcome.run if out is None else read_run(out)


def analyze(run) -> dict:
    """The study's estimates of a Run (or a path to one), as ``statmech-nn analyze`` prints them."""
    from .io.runfile import Run, read_run
    from .study import get_study

    if not isinstance(run, Run):
        run = read_run(run)
    return get_study(run.study).analyze(run)


def studies() -> dict:
    """Every registered study, by name."""
    from .study import studies as registered

    return registered()


__all__ = ["__version__", "analyze", "open", "run", "studies"]
