"""Where a run came from: versions, git commit, command line, time."""
from __future__ import annotations

import datetime
import platform
import shlex
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import h5py
import numba
import numpy as np

from .. import __version__


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The commit of the package's source tree (with ``-dirty`` if modified), or '' outside a checkout; asked once
    per process (a process runs the code it imported; a sweep worker's points saved 8–44 ms each)."""
    src = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=40", "--match=NO-TAGS"],
            cwd=src, capture_output=True, text=True, timeout=5, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def collect(seed_entropy: int | None = None, argv: list[str] | None = None) -> dict[str, str]:
    """Provenance attributes of a new run or sweep."""
    argv = sys.argv if argv is None else argv
    return {
        "package": "statmech_nn",
        "package_version": __version__,
        "git_commit": git_commit(),
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "numba_version": numba.__version__,
        "h5py_version": h5py.__version__,
        "hdf5_version": h5py.version.hdf5_version,
        "command_line": shlex.join([Path(argv[0]).name, *argv[1:]]) if argv else "",
        "seed_entropy": "" if seed_entropy is None else str(seed_entropy),
        "created": utc_now(),
    }
