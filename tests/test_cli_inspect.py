"""info / analyze / plot on runs and sweeps, through the CLI entry point."""
import json

import pytest

from statmech_nn.sims.cli import main
from statmech_nn.sweep import run_sweep

SPEC = {"study": "ising", "seed": 1, "fixed": {"algorithm": "wolff", "sweeps": 2000, "burn_in": 100},
        "grid": {"L": [4, 8], "T": {"start": 2.1, "stop": 2.45, "num": 6}}}


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "s.h5"
    assert run_sweep(SPEC, path, workers=1).exit_status == 0
    return path


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "r.h5"
    assert main(["ising", "--L", "8", "--sweeps", "3000", "--seed", "2", "--quiet", "--out", str(path)]) == 0
    return path


def test_run_info_analyze_json_and_plot(run_file, capsys):
    assert main(["info", str(run_file)]) == 0
    out = capsys.readouterr().out
    assert "energy: 3000 rows" in out and "seed = 2" in out
    assert main(["analyze", str(run_file), "--json"]) == 0
    est = json.loads(capsys.readouterr().out)
    assert set(est["binder"]) == {"value", "error", "tau", "n"} and est["energy"]["n"] == 3000
    png = run_file.with_name("r.png")
    assert main(["plot", str(run_file), "--out", str(png)]) == 0 and png.stat().st_size > 10_000


def test_sweep_info_analyze_and_plot(sweep_file, capsys):
    assert main(["info", str(sweep_file)]) == 0
    assert "12/12 points done" in capsys.readouterr().out
    assert main(["analyze", str(sweep_file)]) == 0
    out = capsys.readouterr().out
    assert "crossing U_4 = U_8" in out and "Onsager" in out
    png = sweep_file.with_name("s.png")
    assert main(["plot", str(sweep_file), "--x", "T", "--y", "binder", "--hue", "L", "--out", str(png)]) == 0
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("args, needle", [(["--x", "J"], "--x 'J'"), (["--y", "nonsense"], "--y 'nonsense'"),
                                          (["--x", "T", "--hue", "T"], "--hue")])
def test_sweep_plot_bad_axes(sweep_file, capsys, args, needle):
    assert main(["plot", str(sweep_file), *args, "--out", str(sweep_file.with_name("x.png"))]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_not_a_statmech_file(tmp_path, capsys):
    bogus = tmp_path / "x.h5"
    bogus.write_bytes(b"not hdf5")
    for command in ("info", "analyze", "plot"):
        assert main([command, str(bogus)]) == 2
        assert "not a readable HDF5 file" in capsys.readouterr().err
