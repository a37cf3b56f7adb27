"""Fuzzing the two things users hand the package: sweep specs and files. Whatever comes in, the answer is a result
or a one-line error (exit 2) — never a traceback.

Specs are drawn by hypothesis from a grammar of plausible and implausible TOML (unknown keys, wrong types, huge and
non-finite numbers, empty and enormous axes); files are a real run and a real sweep damaged by a seeded generator
(bytes overwritten, the file cut short, groups, datasets and attributes deleted or retyped).
"""
from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statmech_nn.errors import StatmechError
from statmech_nn.sims.cli import main
from statmech_nn.sweep.spec import MAX_POINTS, dump_toml, load_spec

NUMBERS = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
                    st.booleans(), st.text(max_size=6))
VALUES = st.one_of(NUMBERS, st.lists(NUMBERS, max_size=4),
                   st.fixed_dictionaries({"start": NUMBERS, "stop": NUMBERS, "num": NUMBERS},
                                         optional={"log": NUMBERS, "step": NUMBERS}))
ISING_KEYS = st.sampled_from(["L", "T", "J", "h", "algorithm", "sweeps", "burn_in", "measure_every", "start",
                              "seed", "Q", "sweep"])
SPECS = st.fixed_dictionaries(
    {"study": st.one_of(st.sampled_from(["ising", "signal-prop", "chaos", "no-such-study"]), NUMBERS)},
    optional={"seed": NUMBERS,
              "fixed": st.dictionaries(ISING_KEYS, VALUES, max_size=4),
              "grid": st.dictionaries(ISING_KEYS, VALUES, max_size=3),
              "extra": NUMBERS})


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(SPECS)
def test_spec_parser_returns_a_spec_or_a_user_error(spec):
    try:
        parsed = load_spec(spec)
    except StatmechError as exc:
        assert "\n" not in " ".join(str(exc).split())
        return
    assert 1 <= parsed.size <= MAX_POINTS and parsed.study in ("ising", "signal-prop", "chaos")


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(SPECS)
def test_spec_files_through_the_command_line_never_trace_back(tmp_path_factory, spec):
    """Only specs the parser refuses reach the command line here (a valid one would start a real sweep)."""
    try:
        load_spec(spec)
        return
    except StatmechError:
        pass
    except Exception as exc:  # pragma: no cover - reported by the test above
        pytest.fail(f"parser raised {type(exc).__name__}: {exc}")
    tmp = tmp_path_factory.mktemp("spec")
    path = tmp / "spec.toml"
    try:
        path.write_text(dump_toml(spec))
    except (ValueError, TypeError):  # not expressible as TOML: write it raw
        path.write_text(repr(spec))
    assert _cli(["sweep", str(path), "--out", str(tmp / "s.h5")]) == 2
    assert not (tmp / "s.h5").exists() and not (tmp / "s.h5.d").exists()


def _cli(args) -> int:
    return main(args)


# ------------------------------------------------------------------------------------------------------- files
@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("originals")
    run = tmp / "run.h5"
    assert main(["ising", "--L", "6", "--sweeps", "300", "--burn-in", "5", "--seed", "1", "--quiet",
                 "--out", str(run)]) == 0
    spec = tmp / "s.toml"
    spec.write_text('study = "ising"\nseed = 2\n[fixed]\nsweeps = 100\nburn_in = 5\n[grid]\nL = [4, 6]\n')
    sweep = tmp / "s.h5"
    assert main(["sweep", str(spec), "--out", str(sweep), "--workers", "1", "--quiet"]) == 0
    return {"run": run, "sweep": sweep}


def _objects(path: Path) -> list[str]:
    names = []
    with h5py.File(path, "r") as f:
        f.visit(names.append)
    return names


def damage(path: Path, rng: random.Random) -> str:
    """One random kind of damage; returns what was done (for the failure message)."""
    kind = rng.choice(["bytes", "truncate", "delete", "retype", "attr"])
    if kind == "bytes":
        data = bytearray(path.read_bytes())
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        return kind
    if kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data))])
        return kind
    names = _objects(path)
    victim = rng.choice(names)
    with h5py.File(path, "r+") as f:
        if kind == "delete":
            del f[victim]
        elif kind == "retype" and isinstance(f[victim], h5py.Dataset):
            del f[victim]
            f[victim] = np.array([rng.random()] * rng.randint(0, 3))
        else:
            obj = f[victim] if kind == "attr" else f
            keys = list(obj.attrs)
            if keys:
                obj.attrs[rng.choice(keys)] = rng.choice([np.nan, "?", -1, np.zeros(3)])
    return f"{kind} {victim}"


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_damaged_files_give_a_result_or_one_line(originals, tmp_path, capsys, kind):
    rng = random.Random(20261204)
    for case in range(40):
        path = tmp_path / f"{case}.h5"
        shutil.copy(originals[kind], path)
        if kind == "sweep":
            shutil.copytree(originals[kind].with_name("s.h5.d"), tmp_path / f"{case}.h5.d", dirs_exist_ok=True)
        what = damage(path, rng)
        for command in (["info", str(path)], ["analyze", str(path)],
                        ["plot", str(path), "--out", str(tmp_path / f"{case}.png")]):
            code = main(command)
            err = capsys.readouterr().err.strip().splitlines()
            assert code in (0, 2), (what, command, code, err)
            assert code == 0 or (len(err) == 1 and "Traceback" not in err[0]), (what, command, err)


def test_the_fuzzer_damages_for_real(originals, tmp_path):
    """Negative control: most damaged files are refused (the damage is not cosmetic)."""
    rng = random.Random(20261204)
    refused = 0
    for case in range(40):
        path = tmp_path / f"{case}.h5"
        shutil.copy(originals["run"], path)
        damage(path, rng)
        refused += main(["analyze", str(path)]) == 2
    assert refused >= 10 and not math.isnan(refused)
