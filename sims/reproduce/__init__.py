"""``statmech-nn reproduce``: one named, runnable, checked item per published figure or table the package covers.

An :class:`Item` declares the paper and figure, the runs (or sweeps) it needs — as study parameters or a sweep spec,
so seeds, resume, ``--workers`` and ``--scheduler`` work as everywhere else —, the drawing, and the published
numbers it checks, each with its tolerance and the reason for it. Every item has a ``quick`` variant (smaller sizes,
looser tolerances where statistics demand it; well under a minute) and the full one.

:func:`reproduce` runs an item into ``OUT/ID/`` (runs reused when complete, resumed when interrupted) and writes
``OUT/ID.png``, ``OUT/ID.h5`` (the checks, and external links to the runs) and ``OUT/ID.md`` (what was run, how long
it took, each check: published, ours, difference, tolerance, pass/fail, and what differs from the paper and why).

Items live in the modules of this package (one per family), each exposing ``ITEMS``; they are found by listing the
package, so a family adds items without touching this file.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from statmech_nn import open as open_file
from statmech_nn.errors import SpecError
from statmech_nn.io.runfile import read_run
from statmech_nn.study import get_study, run_study
from statmech_nn.sweep import run_sweep


@dataclass(frozen=True)
class Run:
    """One run of ``study`` with ``params`` (its seed among them)."""

    study: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Sweep:
    """One sweep: a spec as a mapping (``study``, ``seed``, ``fixed``, ``grid``)."""

    spec: Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    """A published number and how close ours must come. ``measure(outputs)`` returns (value, error) from the item's
    runs; the check passes when |ours − published| ≤ tolerance (+ ``sigmas`` × our error, when the error is
    statistical). ``quick_tolerance`` replaces ``tolerance`` for the quick variant (smaller runs)."""

    name: str
    published: float
    tolerance: float
    reason: str
    measure: Callable[[dict], tuple[float, float]]
    quick_tolerance: float | None = None
    sigmas: float = 0.0
    source: str = ""  # where the published number stands (text, table, figure read-off)
    direction: str = "close"  # or "above": ours must exceed the published number by more than the tolerance

    def evaluate(self, outputs: dict, quick: bool) -> dict:
        value, error = self.measure(outputs)
        tolerance = self.quick_tolerance if quick and self.quick_tolerance is not None else self.tolerance
        allowed = tolerance + self.sigmas * (error if math.isfinite(error) else 0.0)
        if self.direction == "above":
            passed = bool(math.isfinite(value) and value - self.published > allowed)
        else:
            passed = bool(math.isfinite(value) and abs(value - self.published) <= allowed)
        return {"name": self.name, "published": self.published, "ours": float(value), "error": float(error),
                "difference": float(value - self.published), "tolerance": float(allowed), "passed": passed,
                "reason": self.reason, "source": self.source}


@dataclass(frozen=True)
class Item:
    id: str                  # <firstauthor><year>-fig<N> or -table<N>
    citation: str
    figure: str              # "Fig. 2", "Table 1", "Eq. 9"
    claim: str               # one line: what it shows
    runs: Callable[[bool], dict[str, Run | Sweep]]  # quick -> the outputs it needs
    draw: Callable[[dict], Any]                     # outputs -> matplotlib figure
    checks: tuple[Check, ...]
    minutes: tuple[float, float]                    # (quick, full) on 2 cores
    differences: str = ""                           # what differs from the paper, and why
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def paper(self) -> str:
        """First author and year, from the id (``poole2016-fig1`` → ``Poole 2016``)."""
        head = self.id.split("-")[0]
        name = head.rstrip("0123456789")
        return f"{name.capitalize()} {head[len(name):]}"


def items() -> dict[str, Item]:
    """Every registered item, by id, in module order."""
    out: dict[str, Item] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        for item in importlib.import_module(f"{__name__}.{module}").ITEMS:
            if item.id in out:
                raise ValueError(f"duplicate reproduce id {item.id}")
            out[item.id] = item
    return out


def get_item(item_id: str) -> Item:
    registry = items()
    if item_id not in registry:
        raise SpecError(f"unknown reproduce item {item_id!r}; known: {', '.join(registry)}")
    return registry[item_id]


# --------------------------------------------------------------------------------------------------- running
def _run(name: str, recipe: Run | Sweep, directory: Path, workers: int | None, scheduler: str | None):
    """Run (or reuse, or resume) one output of an item; returns the opened Run or Sweep."""
    path = directory / f"{name}.h5"
    if isinstance(recipe, Sweep):
        resume = path.exists() and _same_sweep(path, recipe) and open_file(path).state != "complete"
        if not (path.exists() and _same_sweep(path, recipe) and open_file(path).state == "complete"):
            run_sweep(dict(recipe.spec), path, workers=workers, scheduler=scheduler, resume=resume,
                      overwrite=not resume)
        return open_file(path)
    study = get_study(recipe.study)
    settings = study.settings(recipe.params)
    if path.exists():
        try:
            old = read_run(path)
            same = old.study == recipe.study and all(
                np.array_equal(np.asarray(old.parameters.get(k)), np.asarray(v)) for k, v in settings.items())
        except Exception:  # noqa: BLE001 - a damaged leftover is simply rerun
            same, old = False, None
        if same and old.status == "complete":
            return old
        if same:
            run_study(study, {}, path, resume=True)
            return read_run(path)
    run_study(study, dict(recipe.params), path, overwrite=True)
    return read_run(path)


def _same_sweep(path: Path, recipe: Sweep) -> bool:
    from statmech_nn.sweep.spec import load_spec, spec_difference

    try:
        stored = open_file(path)
        return spec_difference(stored.canonical, load_spec(dict(recipe.spec)).canonical()) is None
    except Exception:  # noqa: BLE001 - not a sweep of this spec
        return False


@dataclass(frozen=True)
class Result:
    item: Item
    quick: bool
    checks: list[dict]
    seconds: float
    png: Path
    report: Path

    @property
    def passed(self) -> bool:
        return all(c["passed"] for c in self.checks)


def reproduce(item: Item, out_dir: str | Path, *, quick: bool = False, workers: int | None = None,
              scheduler: str | None = None) -> Result:
    """Run ``item`` into ``out_dir``; write its figure, data file and report; return the checks."""
    from statmech_nn.analysis.plots import save

    out_dir = Path(out_dir)
    directory = out_dir / item.id
    directory.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    recipes = item.runs(quick)
    outputs = {name: _run(name, recipe, directory, workers, scheduler) for name, recipe in recipes.items()}
    checks = [check.evaluate(outputs, quick) for check in item.checks]
    png = save(item.draw(outputs), out_dir / f"{item.id}.png")
    seconds = time.monotonic() - t0
    _write_data(item, quick, checks, recipes, out_dir / f"{item.id}.h5")
    report = out_dir / f"{item.id}.md"
    report.write_text(_report(item, quick, checks, recipes, seconds))
    return Result(item, quick, checks, seconds, png, report)


def _write_data(item: Item, quick: bool, checks: list[dict], recipes: dict, path: Path) -> None:
    with h5py.File(path, "w") as f:
        f.attrs.update(format="statmech_nn reproduce", id=item.id, citation=item.citation, figure=item.figure,
                       variant="quick" if quick else "full", passed=all(c["passed"] for c in checks))
        g = f.create_group("checks")
        for c in checks:
            h = g.create_group(c["name"])
            for key in ("published", "ours", "error", "difference", "tolerance"):
                h[key] = c[key]
            h.attrs.update(passed=c["passed"], reason=c["reason"], source=c["source"])
        runs = f.create_group("runs")
        for name in recipes:
            runs[name] = h5py.ExternalLink(f"{item.id}/{name}.h5", "/")


def _fmt(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.6g}"


def _report(item: Item, quick: bool, checks: list[dict], recipes: dict, seconds: float) -> str:
    lines = [f"# {item.id} — {item.citation}, {item.figure}", "", item.claim, "",
             f"Variant: {'quick' if quick else 'full'}; wall time {seconds:.1f} s.", "", "## Runs", ""]
    for name, recipe in recipes.items():
        if isinstance(recipe, Sweep):
            lines.append(f"* `{name}`: sweep of `{recipe.spec['study']}`, grid "
                         + ", ".join(f"{k} = {v}" for k, v in recipe.spec.get("grid", {}).items())
                         + ", fixed " + ", ".join(f"{k} = {v}" for k, v in recipe.spec.get("fixed", {}).items())
                         + f", seed {recipe.spec.get('seed')}")
        else:
            lines.append(f"* `{name}`: `statmech-nn {recipe.study} "
                         + " ".join(f"--{k.replace('_', '-')} {_value(v)}" for k, v in recipe.params.items()) + "`")
    lines += ["", "## Checks", "", "| quantity | published | ours | difference | allowed | result | why this tolerance |",
              "|---|---|---|---|---|---|---|"]
    for c in checks:
        ours = _fmt(c["ours"]) + (f" ± {_fmt(c['error'])}" if math.isfinite(c["error"]) and c["error"] > 0 else "")
        lines.append(f"| {c['name']} | {_fmt(c['published'])} | {ours} | {_fmt(c['difference'])} | "
                     f"{_fmt(c['tolerance'])} | {'pass' if c['passed'] else '**FAIL**'} | {c['reason']} "
                     f"({c['source']}) |" if c["source"] else
                     f"| {c['name']} | {_fmt(c['published'])} | {ours} | {_fmt(c['difference'])} | "
                     f"{_fmt(c['tolerance'])} | {'pass' if c['passed'] else '**FAIL**'} | {c['reason']} |")
    if item.differences:
        lines += ["", "## What differs from the paper", "", item.differences]
    return "\n".join(lines) + "\n"


def _value(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, (tuple, list)) else str(v)


# --------------------------------------------------------------------------------------------------- gallery
def write_gallery(results: list[Result], docs: str | Path) -> Path:
    """``docs/gallery.md`` and ``docs/gallery/<id>.png`` (small copies) for ``results``."""
    docs = Path(docs)
    (docs / "gallery").mkdir(parents=True, exist_ok=True)
    lines = ["# Gallery", "",
             "Every published figure the package reproduces, as `statmech-nn reproduce --all --quick --gallery docs/`",
             "drew it (the quick variant: smaller runs; `statmech-nn reproduce ID` runs the full one). Each entry:",
             "the figure, its claim, the command, and the checks against the paper's numbers.", ""]
    for r in results:
        target = docs / "gallery" / f"{r.item.id}.png"
        shutil.copy(r.png, target)
        verdict = "all checks pass" if r.passed else "**some checks fail**"
        lines += [f"## {r.item.id}", "", f"*{r.item.citation}, {r.item.figure}.* {r.item.claim}", "",
                  f"![{r.item.id}](gallery/{r.item.id}.png)", "",
                  f"`statmech-nn reproduce {r.item.id} --out-dir repro` (quick: `--quick`, {r.seconds:.0f} s here; "
                  f"full ≈ {r.item.minutes[1]:g} min). {verdict}:", ""]
        for c in r.checks:
            lines.append(f"* {c['name']}: published {_fmt(c['published'])}, ours {_fmt(c['ours'])}"
                         + (f" ± {_fmt(c['error'])}" if math.isfinite(c["error"]) and c["error"] > 0 else "")
                         + f" ({'pass' if c['passed'] else 'FAIL'}, allowed ±{_fmt(c['tolerance'])})")
        if r.item.differences:
            lines += ["", r.item.differences]
        lines.append("")
    path = docs / "gallery.md"
    path.write_text("\n".join(lines))
    return path
