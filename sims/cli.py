"""The ``statmech-nn`` console script: one subcommand per study, plus info / analyze / plot / sweep.

Flags of a study derive from its parameter declarations (``--name``, underscores as hyphens). Any user error prints
one line ``statmech-nn: error: ...`` naming the parameter, the value and what is allowed, and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
from pathlib import Path

from statmech_nn import __version__
from statmech_nn.errors import FormatError, OutputError, ParameterError, StatmechError, StorageError
from statmech_nn.params import Param
from statmech_nn.runner import RunOptions
from statmech_nn.sweep.spec import MAX_POINTS
from statmech_nn.study import Study, run_study, studies


EXIT_FAILED = 1       # the input was fine, the machine was not (a full or read-only disk)
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: What ``plot --out`` can write (matplotlib's file formats).
FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".eps", ".ps", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")


class _UsageError(StatmechError):
    def __init__(self, prog: str, message: str):
        self.prog = prog
        super().__init__(message)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors become one-line :class:`StatmechError`\\ s (exit 2, no usage dump)."""

    def error(self, message):
        raise _UsageError(self.prog, message)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ParameterError("checkpoint_every", text, "a finite number of seconds > 0")
    return value


def _positive_int(name: str):
    def parse(text: str) -> int:
        try:
            return Param(name, int, None, "", low=1).coerce(text)
        except ParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def _add_run_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument("--out", required=True, metavar="PATH", help="the run file (HDF5) to write")
    g.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    g.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    g.add_argument("--checkpoint-every", type=str, default="60", metavar="SECONDS",
                   help="wall-clock seconds between checkpoints (default 60)")
    g.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_study(sub, study: Study) -> None:
    p = sub.add_parser(study.name, help=study.summary, description=study.summary, allow_abbrev=False)
    g = p.add_argument_group("parameters")
    for param in study.params:
        default = "fresh entropy" if param.factory else param.default
        if param.many and param.default is not None:
            default = ",".join(map(str, param.default))
        metavar = param.type.__name__.upper() + (",..." if param.many else "")
        switch = {"nargs": "?", "const": "1"} if param.switch else {}
        g.add_argument(param.flag, dest=param.name, default=None, metavar=metavar, **switch,
                       help=f"{param.doc}; {param.allowed()} (default: {default})")
    _add_run_options(p)
    p.set_defaults(handler=lambda args: _run(study, args))


def _run(study: Study, args) -> int:
    values = {p.name: getattr(args, p.name) for p in study.params}
    options = RunOptions(checkpoint_every=_positive_seconds(args.checkpoint_every),
                         progress=sys.stderr.isatty() and not args.quiet)
    outcome = run_study(study, values, args.out, resume=args.resume, overwrite=args.overwrite,
                        options=options, argv=sys.argv)
    if outcome.status == "interrupted":
        print(f"interrupted: {outcome.rows} rows up to step {outcome.done} of {outcome.total} saved in {args.out}; "
              f"continue with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print(f"wrote {args.out}: {outcome.rows} rows, {outcome.done} steps, complete")
    return 0


def _info(args) -> int:
    from statmech_nn.io.runfile import file_format, read_run

    if file_format(args.path) == "statmech_nn sweep":
        return _sweep_info(args.path)
    run = read_run(args.path)
    print(f"{args.path}: study '{run.study}', status {run.status}, format v{run.format_version}")
    _print_attrs("parameters", run.parameters)
    _print_attrs("provenance", run.provenance)
    print("observables:")
    for name, series in run.observables.items():
        steps = f"steps {series.step[0]}..{series.step[-1]}" if len(series) else "no rows"
        print(f"  {name}: {len(series)} rows, value shape {series.value.shape[1:]}, {steps}")
    if run.results:
        print("results:")
        for k, v in run.results.items():
            print(f"  {k}: shape {getattr(v, 'shape', ())}")
    return 0


def _sweep_info(path: str) -> int:
    from statmech_nn.sweep import read_sweep
    from statmech_nn.io.sweepfile import DONE, FAILED

    sweep = read_sweep(path)
    print(f"{path}: {sweep.study} sweep, {sweep.state}, seed {sweep.seed}; "
          f"{int((sweep.status == DONE).sum())}/{sweep.status.size} points done, "
          f"{int((sweep.status == FAILED).sum())} failed")
    print("grid:")
    for name, values in sweep.axes.items():
        print(f"  {name}: {len(values)} values, {values[0]} .. {values[-1]}")
    _print_attrs("parameters", sweep.parameters)
    _print_attrs("provenance", sweep.provenance)
    print("results: " + ", ".join(f"{k} {v.mean.shape}" for k, v in sweep.results.items()))
    return 0


def _print_attrs(title: str, attrs: dict) -> None:
    print(f"{title}:")
    for k, v in attrs.items():
        if k == "history":
            v = "; ".join(map(str, v))
        print(f"  {k} = {v}")


def _analyze(args) -> int:
    from statmech_nn import analyze
    from statmech_nn.io.runfile import file_format

    if file_format(args.path) == "statmech_nn sweep":
        from statmech_nn.analysis.sweeps import summary_table
        from statmech_nn.sweep import read_sweep

        print("\n".join(summary_table(read_sweep(args.path))))
        return 0
    estimates = analyze(args.path)
    if args.json:
        print(json.dumps({k: e.to_dict() for k, e in estimates.items()}, indent=2))
        return 0
    width = max(map(len, estimates))
    print(f"{'quantity':<{width}}  {'estimate':>24}  {'tau_int':>8}  {'n':>8}")
    for name, e in estimates.items():
        print(f"{name:<{width}}  {str(e):>24}  {e.tau:8.3g}  {e.n:8d}")
    return 0


def _plot(args) -> int:
    import matplotlib

    matplotlib.use("Agg")  # the command line writes files and never needs a display
    from statmech_nn.analysis import plots, run_figure
    from statmech_nn.io.runfile import file_format, read_run

    out = _figure_path(Path(args.out) if args.out else Path(args.path).with_suffix(".png"))
    if file_format(args.path) == "statmech_nn sweep":
        from statmech_nn.analysis.sweeps import sweep_figure
        from statmech_nn.sweep import read_sweep

        sweep = read_sweep(args.path)
        if args.map:
            from statmech_nn.analysis.sweeps import map_figure

            plots.save(map_figure(sweep, args.map), out)
            print(f"wrote {out}")
            return 0
        from statmech_nn.analysis import SWEEP_FIGURES

        axes = list(sweep.axes)
        x = args.x or axes[-1]
        hue = args.hue or next((a for a in axes if a != x), None)
        y = args.y or ("binder" if "binder" in sweep.results else next(iter(sweep.results), ""))
        fig = None
        if sweep.study in SWEEP_FIGURES and not (args.x or args.y or args.hue):
            try:
                fig = SWEEP_FIGURES[sweep.study](sweep)
            except FormatError:  # the study's figure needs other axes: the generic one
                pass
        fig = fig or sweep_figure(sweep, x, y, hue)
    elif args.receptive_fields:
        from statmech_nn.analysis.rg import receptive_fields_figure

        fig = receptive_fields_figure(read_run(args.path))
    else:
        fig = run_figure(read_run(args.path))
    plots.save(fig, out)
    print(f"wrote {out}")
    return 0


def _figure_path(out: Path) -> Path:
    """Check ``plot --out`` before anything is read or drawn."""
    if out.suffix.lower() not in FIGURE_SUFFIXES:
        raise OutputError(f"parameter 'out': got {str(out)!r}; allowed: a file ending in {', '.join(FIGURE_SUFFIXES)}")
    if out.is_dir():
        raise OutputError(f"parameter 'out': got {str(out)!r}; allowed: a file path, not a directory")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"parameter 'out': got {str(out)!r}; allowed: a path in an existing directory")
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise OutputError(f"parameter 'out': got {str(out)!r}; allowed: a writable path")
    return out


#: ``statmech-nn figures --only SET``: the reproduce items each old figure set became.
FIGURE_SETS = {"signal-prop": ("poole2016-fig1", "poole2016-fig2", "schoenholz2017-fig2"),
               "chaos": ("poole2016-fig3", "poole2016-fig4", "raghu2017-fig1"),
               "isometry": ("pennington2017-fig2", "pennington2017-fig3")}
TRAINABILITY_ITEM = "schoenholz2017-fig5"


def _figures(args) -> int:
    """The old ``figures`` command, kept as an alias: the full reproduce items of the chosen sets."""
    ids = [i for name in args.only or FIGURE_SETS for i in FIGURE_SETS[name]]
    ids += [TRAINABILITY_ITEM] if args.trainability else []
    print(f"statmech-nn figures is an alias of: statmech-nn reproduce {' '.join(ids)} --out-dir {args.out_dir}",
          file=sys.stderr)
    return _reproduce(argparse.Namespace(ids=ids, list=False, all=False, quick=False, out_dir=args.out_dir,
                                         workers=None, scheduler=None, gallery=None))


def _reproduce(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .reproduce import get_item, items, reproduce, write_gallery

    registry = items()
    if args.list:
        print(f"{'id':<24} {'minutes quick / full':>20}  paper, figure: what it shows")
        for item in registry.values():
            print(f"{item.id:<24} {item.minutes[0]:>9g} / {item.minutes[1]:<8g}  {item.paper}, {item.figure}: "
                  f"{item.claim}")
        return 0
    chosen = list(registry.values()) if args.all else [get_item(i) for i in args.ids]
    if not chosen:
        raise ParameterError("ids", "", "one or more item ids (see --list), or --all")
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for item in chosen:
        result = reproduce(item, out, quick=args.quick, workers=args.workers, scheduler=args.scheduler)
        results.append(result)
        verdict = "pass" if result.passed else "FAIL"
        print(f"{item.id}: {verdict} ({sum(c['passed'] for c in result.checks)}/{len(result.checks)} checks, "
              f"{result.seconds:.0f} s) -> {result.png}, {result.report}", flush=True)
    if args.gallery:
        print(f"wrote {write_gallery(results, args.gallery)}")
    failed = [r.item.id for r in results if not r.passed]
    if failed:
        print(f"checks failed: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _sweep(args) -> int:
    from statmech_nn.sweep import run_sweep

    outcome = run_sweep(args.spec, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                        overwrite=args.overwrite, progress=sys.stderr.isatty() and not args.quiet,
                        max_points=args.max_points, dashboard=args.dashboard)
    if outcome.status == "interrupted":
        again = shlex.join(["statmech-nn", "sweep", args.spec, "--out", args.out, "--resume"])
        print(f"interrupted: {outcome.done}/{outcome.total} points done in {args.out}; continue with: {again}",
              file=sys.stderr)
    elif not args.quiet:
        print(f"wrote {args.out}: {outcome.done}/{outcome.total} points done ({outcome.failed} failed)")
    return outcome.exit_status


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="statmech-nn", allow_abbrev=False,
                     description="Statistical mechanics of neural networks: simulations, sweeps, analysis.")
    parser.add_argument("--version", action="version", version=f"statmech_nn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for study in studies().values():
        _add_study(sub, study)
    p = sub.add_parser("info", help="parameters, provenance and observables of a run")
    p.add_argument("path")
    p.set_defaults(handler=_info)
    p = sub.add_parser("analyze", help="estimates with autocorrelation-corrected errors (runs); T_c (Ising sweeps)")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_analyze)
    p = sub.add_parser("plot", help="figures of a run or a sweep as PNG")
    p.add_argument("path")
    p.add_argument("--out", metavar="PNG", help="output file (default: PATH with .png)")
    p.add_argument("--x", help="sweeps: the grid axis on the horizontal axis (default: the last axis)")
    p.add_argument("--y", help="sweeps: the summary to plot (default: binder if present)")
    p.add_argument("--hue", help="sweeps: the grid axis giving one curve per value (default: another axis)")
    p.add_argument("--map", metavar="SUMMARY", help="sweeps over two axes: a heat map of SUMMARY (e.g. chi1)")
    p.add_argument("--receptive-fields", action="store_true", help="rg-stack runs: receptive fields W1, W1·W2, …")
    p.set_defaults(handler=_plot)
    p = sub.add_parser("figures", help="alias of reproduce for the signal-propagation (Poole 2016, Schoenholz 2017), "
                                       "transient-chaos (Poole 2016, Raghu 2017) and isometry (Pennington 2017) "
                                       "items, full size")
    p.add_argument("--out-dir", default="figures", metavar="DIR", help="where to write (default: figures)")
    p.add_argument("--only", action="append", choices=tuple(FIGURE_SETS), metavar="SET",
                   help="one set: signal-prop, chaos or isometry (repeatable; default: all)")
    p.add_argument("--trainability", action="store_true", help=f"also {TRAINABILITY_ITEM} (about 10 minutes)")
    p.set_defaults(handler=_figures)
    p = sub.add_parser("reproduce", help="published figures: run, draw and check each against the paper's numbers "
                                         "(docs/gallery.md)")
    p.add_argument("ids", nargs="*", metavar="ID", help="item ids (see --list)")
    p.add_argument("--list", action="store_true", help="list the items: id, minutes (quick / full), paper, claim")
    p.add_argument("--all", action="store_true", help="every item")
    p.add_argument("--quick", action="store_true", help="the reduced variants (smaller runs, under a minute each)")
    p.add_argument("--out-dir", default="repro", metavar="DIR", help="where to write (default: repro)")
    p.add_argument("--workers", type=_positive_int("workers"), metavar="N", help="local workers for sweeps")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler for sweeps, or 'local'")
    p.add_argument("--gallery", metavar="DOCS", help="also write DOCS/gallery.md and DOCS/gallery/ID.png")
    p.set_defaults(handler=_reproduce)
    p = sub.add_parser("sweep", help="run a parameter sweep from a TOML spec (docs/sweeps.md)")
    p.add_argument("spec", help="the sweep spec (TOML)")
    p.add_argument("--out", required=True, metavar="PATH", help="the sweep file; shards go to PATH.d/")
    p.add_argument("--resume", action="store_true", help="continue the sweep in --out (same spec)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out and its shards")
    p.add_argument("--workers", type=_positive_int("workers"), metavar="N",
                   help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler address, or 'local' for a LocalCluster")
    p.add_argument("--dashboard", metavar="HOST:PORT",
                   help="--scheduler local: serve the Dask dashboard there (default: no dashboard)")
    p.add_argument("--max-points", type=_positive_int("max_points"), default=MAX_POINTS, metavar="N",
                   help=f"refuse grids of more points (default {MAX_POINTS})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_sweep)
    return parser


def _join_negative_numbers(argv: list[str]) -> list[str]:
    """``--h -1e-3`` → ``--h=-1e-3``: argparse would take '-1e-3' or '-inf' for an option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and token.startswith("-") and _is_number(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    argv = _join_negative_numbers(sys.argv[1:] if argv is None else list(argv))
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except StatmechError as exc:
        message = " ".join(str(exc).split())  # one line, whatever a library put into the message
        print(f"{getattr(exc, 'prog', 'statmech-nn')}: error: {message}", file=sys.stderr)
        return EXIT_FAILED if isinstance(exc, StorageError) else EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `statmech-nn info run.h5 | head`
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
