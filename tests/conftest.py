import os
import signal
import subprocess
import sys

import pytest

from statmech_nn import runner


def cli(*args: str) -> list[str]:
    """The console script as a subprocess command line (the interpreter running the tests)."""
    return [sys.executable, "-m", "statmech_nn.sims.cli", *args]


@pytest.fixture
def run_cli():
    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(cli(*args), capture_output=True, text=True, timeout=timeout)
    return run


@pytest.fixture
def interrupt_after(monkeypatch):
    """``disarm = interrupt_after(n)``: the n-th call of ``Simulation.advance`` sends this process Ctrl-C (SIGINT)
    as it returns, as a user's Ctrl-C between two chunks would; ``disarm()`` restores ``advance``."""
    def arm(n: int):
        advance, calls = runner.Simulation.advance, []

        def interrupted(self, state, max_units):
            rows = advance(self, state, max_units)
            calls.append(1)
            if len(calls) == n:
                os.kill(os.getpid(), signal.SIGINT)
            return rows

        monkeypatch.setattr(runner.Simulation, "advance", interrupted)
        return lambda: monkeypatch.setattr(runner.Simulation, "advance", advance)
    return arm
