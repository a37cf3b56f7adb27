"""The worked example of docs/architecture.md is a real study: it runs, resumes and gets the physics right."""
from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import numpy as np
import pytest

from statmech_nn.study import run_study

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    text = DOC.read_text()
    code = re.search(r"### Adding one.*?```python\n(.*?)```", text, re.S).group(1)
    assert len(code.splitlines()) <= 60, "the worked example should stay a short study"
    path = tmp_path_factory.mktemp("example") / "ising_ring_example.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location("ising_ring_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exact_energy(N: int, T: float, J: float = 1.0) -> float:
    """⟨E⟩/N of the periodic ring from the transfer matrix: −J (t + t^{N−1})/(1 + t^N), t = tanh(J/T)."""
    t = math.tanh(J / T)
    return -J * (t + t ** (N - 1)) / (1 + t**N)


def z_score(ring, T_run: float, T_exact: float) -> float:
    run = run_study(ring.STUDY, {"N": 16, "T": T_run, "sweeps": 20000, "burn_in": 200, "seed": 5}, None).run
    e = ring.STUDY.summarize(run)["energy"]
    assert e.tau < 10
    return (e.value - exact_energy(16, T_exact)) / e.error


def test_energy_matches_the_transfer_matrix(ring):
    assert abs(z_score(ring, 1.5, 1.5)) < 4.5


def test_negative_control_a_sampler_at_the_wrong_temperature_is_caught(ring):
    assert abs(z_score(ring, 1.65, 1.5)) > 4.5


def test_negative_control_sequential_metropolis_is_caught(ring, monkeypatch):
    """Swept in a fixed order, Metropolis on a ring is not ergodic (docs/architecture.md): the test must see it."""
    from numba import njit

    from statmech_nn.rng import next_double

    @njit(cache=True)
    def metropolis_sweeps(spins, rng, beta, J, energy):
        n = spins.size
        for t in range(energy.size):
            for i in range(n):
                de = 2.0 * J * spins[i] * (spins[i - 1] + spins[(i + 1) % n])
                if de <= 0.0 or next_double(rng) < np.exp(-beta * de):
                    spins[i] = -spins[i]
            energy[t] = -J * np.sum(spins * np.roll(spins, 1)) / n

    monkeypatch.setattr(ring, "heat_bath_sweeps", metropolis_sweeps)
    assert abs(z_score(ring, 1.5, 1.5)) > 4.5


def test_resume_and_chunking_give_the_same_numbers(ring, tmp_path):
    values = {"N": 8, "sweeps": 300, "burn_in": 10, "seed": 3}
    whole = run_study(ring.STUDY, values, None).run
    sim = ring.STUDY.build(ring.STUDY.settings(values))
    state, rows = sim.start(), []
    while sim.phase(state) is not None:
        out = sim.advance(state, 7)
        rows += list(out.get("energy", ((), ()))[1])
    np.testing.assert_array_equal(whole["energy"], rows)
