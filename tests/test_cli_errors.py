"""Bad input: one line naming the parameter, the value and what is allowed; exit 2; no file created or changed."""
from __future__ import annotations

import pytest

from statmech_nn.sims.cli import main

BASE = ["ising", "--sweeps", "10", "--burn-in", "0", "--quiet"]
SIGNAL_PROP = ["signal-prop", "--quiet"]

ISING_BAD = [
    (["--L", "1"], "'L'"),
    (["--L", "5", "--algorithm", "metropolis"], "'L'"),
    (["--L", "7", "--algorithm", "heat-bath"], "even"),
    (["--L", "abc"], "'L'"),
    (["--L", "8.5"], "'L'"),
    (["--T", "0"], "'T'"),
    (["--T", "-1.5"], "'T'"),
    (["--T", "nan"], "'T'"),
    (["--T", "inf"], "'T'"),
    (["--J", "nan"], "'J'"),
    (["--h", "-inf"], "'h'"),
    (["--algorithm", "glauber"], "'algorithm'"),
    (["--sweeps", "-5"], "'sweeps'"),
    (["--burn-in", "-1"], "'burn_in'"),
    (["--measure-every", "0"], "'measure_every'"),
    (["--measure-every", "20"], "'measure_every'"),
    (["--seed", "-3"], "'seed'"),
    (["--checkpoint-every", "0"], "'checkpoint_every'"),
    (["--start", "hot"], "'start'"),
    (["--resume", "--overwrite"], "exclude"),
]
SIGNAL_PROP_BAD = [
    (["--sigma-w2", "0"], "'sigma_w2'"),
    (["--sigma-w2", "-1"], "'sigma_w2'"),
    (["--sigma-b2", "-0.1"], "'sigma_b2'"),
    (["--sigma-b2", "nan"], "'sigma_b2'"),
    (["--phi", "softplus"], "'phi'"),
    (["--depth", "0"], "'depth'"),
    (["--width", "-1"], "'width'"),
    (["--networks", "0"], "'networks'"),
    (["--weights", "haar"], "'weights'"),
    (["--q0", "0"], "'q0'"),
    (["--c0", "1.5"], "'c0'"),
]
BAD = [([*BASE, *extra], needle) for extra, needle in ISING_BAD] + \
      [([*SIGNAL_PROP, *extra], needle) for extra, needle in SIGNAL_PROP_BAD]


@pytest.mark.parametrize("args,needle", BAD)
def test_bad_parameter_is_one_line_exit_2_no_file(tmp_path, capsys, args, needle):
    out = tmp_path / "run.h5"
    code = main([*args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("statmech-nn") and needle in err, err
    assert "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unwritable_or_missing_directory(tmp_path, capsys):
    assert main([*BASE, "--out", str(tmp_path / "no" / "such" / "dir.h5")]) == 2
    assert "'out'" in capsys.readouterr().err
    assert main([*BASE, "--out", str(tmp_path)]) == 2  # a directory
    assert "'out'" in capsys.readouterr().err


def test_existing_output_is_left_untouched(tmp_path, capsys):
    out = tmp_path / "run.h5"
    out.write_bytes(b"precious")
    assert main([*BASE, "--L", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "exists" in err and "--overwrite" in err
    assert out.read_bytes() == b"precious"


def test_unknown_flag_and_missing_out(capsys):
    assert main(["ising", "--temperature", "2"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["ising"]) == 2
    assert "--out" in capsys.readouterr().err


def test_console_script_exit_status_and_no_traceback(run_cli, tmp_path):
    """The real process: status 2 and one line on stderr."""
    proc = run_cli(*BASE, "--T", "-1", "--out", str(tmp_path / "x.h5"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "parameter 'T'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.h5").exists()
