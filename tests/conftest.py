import subprocess
import sys

import pytest


def cli(*args: str) -> list[str]:
    """The console script as a subprocess command line (the interpreter running the tests)."""
    return [sys.executable, "-m", "statmech_nn.sims.cli", *args]


@pytest.fixture
def run_cli():
    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(cli(*args), capture_output=True, text=True, timeout=timeout)
    return run


@pytest.fixture
def interrupt_resume(tmp_path, monkeypatch):
    """``run(study, sim_class, values, rows_per_call, interrupt_at=1)``: the run of ``values`` uninterrupted, and
    once with ``advance`` limited to ``rows_per_call`` rows and SIGINT raised after its ``interrupt_at``-th call
    (the runner commits what is finished), then resumed; returns both runs (whole, part)."""
    import os
    import signal

    from statmech_nn.io.runfile import read_run
    from statmech_nn.study import run_study

    def run(study, sim_class, values, rows_per_call, interrupt_at=1):
        run_study(study, values, tmp_path / "whole.h5")
        advance, calls = sim_class.advance, []

        def interrupted(self, state, max_rows):
            rows = advance(self, state, rows_per_call)
            calls.append(1)
            if len(calls) == interrupt_at:
                os.kill(os.getpid(), signal.SIGINT)
            return rows

        monkeypatch.setattr(sim_class, "advance", interrupted)
        assert run_study(study, values, tmp_path / "part.h5").status == "interrupted"
        monkeypatch.setattr(sim_class, "advance", advance)
        assert run_study(study, {}, tmp_path / "part.h5", resume=True).status == "complete"
        return read_run(tmp_path / "whole.h5"), read_run(tmp_path / "part.h5")
    return run
