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
