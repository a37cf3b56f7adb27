"""One contract over every registered study, run with the tiny settings it declares (``Study.example``).

Each study gets, for free: a complete run; numbers independent of how the work is cut into chunks; an interrupted
run resumed to the same numbers bit for bit; ``analyze`` and ``plot`` on the run; an in-memory run equal to the
file; and bad input rejected with exit status 2, one line and no file.
"""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import statmech_nn
from statmech_nn import runner
from statmech_nn.analysis import plots, run_figure
from statmech_nn.io.modelfile import save_model
from statmech_nn.io.runfile import read_run
from statmech_nn.models.rbm import random_rbm
from statmech_nn.sims.cli import main
from statmech_nn.study import run_study, studies

STUDIES = studies()
SEED = 12345


@pytest.fixture(scope="module")
def rbm_model(tmp_path_factory) -> str:
    """A small RBM (9 visible, 6 hidden units) for the studies that read a model file."""
    path = tmp_path_factory.mktemp("model") / "model.h5"
    with h5py.File(path, "w") as f:
        save_model(f, random_rbm(9, 6, 0.5, 3))
    return str(path)


def example(name: str, rbm_model: str) -> dict:
    values = {k: (rbm_model if v == "{rbm_model}" else v) for k, v in STUDIES[name].example.items()}
    return {**values, "seed": SEED}


def numbers(run) -> dict:
    out = {f"observables/{k}/{part}": getattr(s, part) for k, s in run.observables.items() for part in ("step", "value")}
    out.update(_flat(run.results, "results"))
    return out


def _flat(tree: dict, prefix: str) -> dict:
    """Nested results (subgroups) as one level of "a/b/c" keys."""
    out = {}
    for k, v in tree.items():
        out.update(_flat(v, f"{prefix}/{k}") if isinstance(v, dict) else {f"{prefix}/{k}": v})
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


def test_every_study_declares_an_example():
    assert len(STUDIES) >= 12
    for name, study in STUDIES.items():
        assert study.example, f"{name} has no example settings"
        assert study.summarize is not None, f"{name} has no summaries"


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_contract(name, tmp_path, monkeypatch, rbm_model, interrupt_after):
    study, values = STUDIES[name], example(name, rbm_model)
    # 1. a complete run, in the largest chunks the runner would choose
    whole = tmp_path / "whole.h5"
    assert run_study(study, values, whole).status == "complete"
    reference = read_run(whole)
    assert reference.status == "complete"

    # 2. one unit of progress per kernel call: the same numbers
    monkeypatch.setattr(runner, "_next_chunk", lambda current, elapsed, target: 1)
    small = tmp_path / "small.h5"
    run_study(study, values, small)
    assert_same(numbers(reference), numbers(read_run(small)))

    # 3. interrupted after the first call (Ctrl-C arrives between chunks), then resumed: the same numbers
    disarm = interrupt_after(1)
    part = tmp_path / "part.h5"
    first = run_study(study, values, part)
    disarm()
    if first.total > 1:
        assert first.status == "interrupted" and read_run(part).status == "interrupted"
        assert run_study(study, {}, part, resume=True).status == "complete"
    assert_same(numbers(reference), numbers(read_run(part)))

    # 4. in memory, through the front door: the same numbers, no file
    memory = statmech_nn.run(name, **values)
    assert memory.status == "complete"
    assert_same(numbers(reference), numbers(memory))

    # 5. analyze and plot
    estimates = statmech_nn.analyze(reference)
    assert estimates and all(np.isfinite(e.value) for e in estimates.values())
    assert plots.save(run_figure(reference), tmp_path / "run.png").stat().st_size > 1000


def _bad_value(study):
    """A value outside the declaration of the study's first bounded or enumerated parameter."""
    for p in study.params:
        if p.choices is not None:
            return p, "no-such-choice"
        if p.low is not None and p.factory is None:
            return p, str(p.low - 1)
    raise AssertionError(f"{study.name}: no bounded parameter to test")


@pytest.mark.parametrize("name", sorted(STUDIES))
def test_bad_input_is_one_line_exit_2_no_file(name, tmp_path, capsys, rbm_model):
    study = STUDIES[name]
    param, value = _bad_value(study)
    out = tmp_path / "bad.h5"
    args = [name, *(f"--{k.replace('_', '-')}={','.join(map(str, v)) if isinstance(v, tuple) else v}"
                    for k, v in example(name, rbm_model).items() if k != param.name), f"{param.flag}={value}",
            "--out", str(out), "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"'{param.name}'" in err[0] and "Traceback" not in err[0], err
    assert not out.exists() and not list(tmp_path.iterdir())
