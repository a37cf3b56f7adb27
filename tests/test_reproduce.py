"""``statmech-nn reproduce``: the registry's shape, and every item's quick variant passing its checks (CI runs it)."""
from __future__ import annotations

import re

import h5py
import pytest

from statmech_nn.sims.cli import main
from statmech_nn.sims.reproduce import Check, get_item, items

ID = re.compile(r"^[a-z]+[0-9]{4}-(fig|table)[0-9]+[a-z]?$")


def test_registry_ids_papers_and_checks():
    registry = items()
    assert len(registry) >= 8
    for item in registry.values():
        assert ID.match(item.id), item.id
        assert item.checks and all(c.reason for c in item.checks), item.id
        assert 0 < item.minutes[0] <= item.minutes[1]


def test_list_and_unknown_ids(capsys):
    assert main(["reproduce", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(i in listed for i in items())
    assert main(["reproduce", "no-such-item"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown reproduce item" in err[0]


def test_figures_is_an_alias_of_reproduce_items(capsys, monkeypatch):
    from statmech_nn.sims import cli

    for ids in (*cli.FIGURE_SETS.values(), (cli.TRAINABILITY_ITEM,)):
        assert all(get_item(i) for i in ids)
    called = []
    monkeypatch.setattr(cli, "_reproduce", lambda args: called.append((args.ids, args.quick, args.out_dir)) or 0)
    assert main(["figures", "--only", "chaos", "--trainability", "--out-dir", "figs"]) == 0
    assert called == [(["poole2016-fig3", "poole2016-fig4", "raghu2017-fig1", "schoenholz2017-fig5"], False, "figs")]
    assert "alias of: statmech-nn reproduce poole2016-fig3" in capsys.readouterr().err
    assert main(["figures", "--only", "nope"]) == 2


def test_a_check_fails_when_the_number_is_off():
    """Negative control of the checking itself: a published number moved outside the tolerance fails."""
    check = Check("x", 1.0, 0.1, "test", lambda out: (1.05, 0.01), sigmas=2.0)
    assert check.evaluate({}, quick=False)["passed"]
    moved = Check("x", 1.2, 0.1, "test", lambda out: (1.05, 0.01), sigmas=2.0)
    assert not moved.evaluate({}, quick=False)["passed"]
    above = Check("x", 0.0, 0.0, "test", lambda out: (0.05, 0.02), sigmas=4.5, direction="above")
    assert not above.evaluate({}, quick=False)["passed"]


@pytest.mark.slow
@pytest.mark.parametrize("item_id", list(items()))
def test_every_quick_item_passes_and_writes_its_outputs(item_id, tmp_path, capsys):
    """One test per item (``--all`` runs the same loop over them), so a parallel test run can spread them."""
    code = main(["reproduce", item_id, "--quick", "--out-dir", str(tmp_path), "--workers", "2"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert (tmp_path / f"{item_id}.png").stat().st_size > 5000
    report = (tmp_path / f"{item_id}.md").read_text()
    assert "| pass |" in report and "FAIL" not in report
    with h5py.File(tmp_path / f"{item_id}.h5", "r") as f:
        assert f.attrs["passed"] and f.attrs["id"] == item_id and len(f["checks"])


def test_several_items_and_the_gallery(tmp_path, capsys):
    ids = ["mullerbrown1979-table1", "amit1985-fig1"]
    assert main(["reproduce", *ids, "--quick", "--out-dir", str(tmp_path), "--gallery", str(tmp_path / "docs")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ids and lines[2].startswith("wrote ")
    gallery = (tmp_path / "docs" / "gallery.md").read_text()
    assert all(f"## {i}" in gallery and (tmp_path / "docs" / "gallery" / f"{i}.png").exists() for i in ids)
    assert "all checks pass" in gallery and "FAIL" not in gallery


def test_a_completed_run_is_reused(tmp_path, capsys):
    item = get_item("poole2016-fig2")
    assert main(["reproduce", item.id, "--quick", "--out-dir", str(tmp_path)]) == 0
    run = tmp_path / item.id / "critical.h5"
    stamp = run.stat().st_mtime_ns
    assert main(["reproduce", item.id, "--quick", "--out-dir", str(tmp_path)]) == 0
    assert run.stat().st_mtime_ns == stamp
