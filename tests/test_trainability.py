"""The ``trainability`` study (Schoenholz et al. 2017, Sec. 6): resumable cell by cell, and the physics at its two
ends — every σ_w² trains a shallow network, and a network far deeper than 6 ξ_c in the ordered phase does not,
while a critical one of the same depth does."""
from __future__ import annotations

import numpy as np
import pytest

from statmech_nn import runner
from statmech_nn.analysis.plots import save
from statmech_nn.analysis.signal_prop import trainability_figure
from statmech_nn.errors import ParameterError
from statmech_nn.io.runfile import read_run
from statmech_nn.meanfield import fixed_point
from statmech_nn.sims.trainability import STUDY
from statmech_nn.study import run_study
from statmech_nn.summaries.trainability import max_depths, plateau

SMALL = {"width": 32, "networks": 2, "points": 128, "dim": 8, "batch": 16, "seed": 7}


def accuracy(values: dict, **changes) -> np.ndarray:
    """Final training accuracy (σ_w², depth, network) of an in-memory run."""
    s = STUDY.settings({**SMALL, **values, **changes})
    run = run_study(STUDY, dict(s), None).run
    return run["accuracy"].reshape(len(s["sigma_w2"]), len(s["depth"]), s["networks"])


def test_interrupted_run_resumes_bit_identical(tmp_path, monkeypatch, interrupt_after):
    values = {**SMALL, "sigma_w2": (1.0, 2.0), "depth": (2, 3), "steps": 60, "steps_per_layer": 0}
    whole = tmp_path / "whole.h5"
    run_study(STUDY, values, whole)
    monkeypatch.setattr(runner, "_next_chunk", lambda current, elapsed, target: 1)
    disarm = interrupt_after(2)
    part = tmp_path / "part.h5"
    assert run_study(STUDY, values, part).status == "interrupted"
    assert len(read_run(part).observables["accuracy"].step) == 2  # two cells kept, two to go
    disarm()
    assert run_study(STUDY, {}, part, resume=True).status == "complete"
    a, b = read_run(whole), read_run(part)
    for name in ("accuracy", "loss", "steps"):
        np.testing.assert_array_equal(a.observables[name].step, b.observables[name].step)
        np.testing.assert_array_equal(a[name], b[name])
    assert save(trainability_figure(b), tmp_path / "t.png").stat().st_size > 1000


def test_shallow_networks_train_at_every_sigma_w2():
    """Depth 2 is far below 6 ξ_c everywhere (6 ξ_c ≥ 21 on σ_w² ∈ [1, 4]): every network reaches 90 %. Negative
    control: with a vanishing step size (a trainer that does not train) none does."""
    values = {"sigma_w2": (1.0, 1.76, 4.0), "depth": (2,), "steps": 2000, "steps_per_layer": 0, "lr": 0.03}
    assert np.all(accuracy(values) >= 0.9)
    assert np.all(accuracy(values, lr=1e-7) < 0.9)


def test_deep_ordered_network_fails_where_critical_one_trains():
    """L = 40, 48 are 11 and 13 ξ_c at σ_w² = 1 (ξ_c = 3.6): the input geometry is gone and no network trains, so
    after two failed depths L = 56 is skipped; at σ_w² = 1.76 (ξ_c ≈ 5000) the same depths, budget and random
    numbers train — the failure is the phase, not the depth alone (negative control for a trainer that fails every
    deep network)."""
    assert 6 * fixed_point("tanh", 1.0, 0.05).xi_c < 40 / 1.5
    values = {"sigma_w2": (1.0, 1.76), "depth": (40, 48, 56), "steps": 1000, "steps_per_layer": 0}
    acc = accuracy(values)
    assert np.all(acc[0, :2] < 0.8), acc
    assert np.all(np.isnan(acc[0, 2])), acc  # not run: two consecutive failures
    assert np.all(acc[1] >= 0.9), acc


def test_deepest_trained_depth_and_plateau():
    depths = np.array([10, 20, 40])
    trained = np.array([[[1, 1], [0, 1], [0, 1]],    # network 0 stops at 10; network 1 reaches 40
                        [[0, 0], [1, 0], [0, 0]]],   # a non-monotone row: the deepest success counts
                       dtype=bool)
    np.testing.assert_array_equal(max_depths(depths, trained), [[10, 40], [20, 0]])
    assert plateau(np.array([1.0, 1.5, 2.0, 3.0]), np.array([10, 40, 40, 20])) == (1.5, 2.0)


def test_depths_must_increase():
    """Skipping after failures walks the depths in order, so an unsorted list is refused, naming the parameter."""
    with pytest.raises(ParameterError, match="'depth'"):
        STUDY.settings({**SMALL, "depth": (20, 10)})
