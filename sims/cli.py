"""The ``statmech-nn`` console script: one subcommand per study, plus info / analyze / plot / sweep.

Flags of a study derive from its parameter declarations (``--name``, underscores as hyphens). Any user error prints
one line ``statmech-nn: error: ...`` naming the parameter, the value and what is allowed, and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from statmech_nn import __version__
from statmech_nn.errors import ParameterError, StatmechError
from statmech_nn.runner import RunOptions
from statmech_nn.study import Study, run_study

from . import STUDIES

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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
        g.add_argument(param.flag, dest=param.name, default=None, metavar=param.type.__name__.upper(),
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
    from statmech_nn.io.runfile import read_run

    run = read_run(args.path)
    print(f"{args.path}: study '{run.study}', status {run.status}, format v{run.format_version}")
    print("parameters:")
    for k, v in run.parameters.items():
        print(f"  {k} = {v}")
    print("provenance:")
    for k, v in run.provenance.items():
        if k == "history":
            v = "; ".join(map(str, v))
        print(f"  {k} = {v}")
    print("observables:")
    for name, series in run.observables.items():
        steps = f"steps {series.step[0]}..{series.step[-1]}" if len(series) else "no rows"
        print(f"  {name}: {len(series)} rows, value shape {series.value.shape[1:]}, {steps}")
    if run.results:
        print("results:")
        for k, v in run.results.items():
            print(f"  {k}: shape {getattr(v, 'shape', ())}")
    return 0


def _analyze(args) -> int:
    from statmech_nn import analysis

    estimates = analysis.analyze(args.path)
    if args.json:
        print(json.dumps({k: e.to_dict() for k, e in estimates.items()}, indent=2))
        return 0
    width = max(map(len, estimates))
    print(f"{'quantity':<{width}}  {'estimate':>24}  {'tau_int':>8}  {'n':>8}")
    for name, e in estimates.items():
        print(f"{name:<{width}}  {str(e):>24}  {e.tau:8.3g}  {e.n:8d}")
    return 0


def _plot(args) -> int:
    from statmech_nn.analysis import plots
    from statmech_nn.io.runfile import read_run

    run = read_run(args.path)
    out = Path(args.out) if args.out else Path(args.path).with_suffix(".png")
    plots.save(plots.run_figure(run), out)
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="statmech-nn", allow_abbrev=False,
                     description="Statistical mechanics of neural networks: simulations, sweeps, analysis.")
    parser.add_argument("--version", action="version", version=f"statmech_nn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for study in STUDIES.values():
        _add_study(sub, study)
    p = sub.add_parser("info", help="parameters, provenance and observables of a run")
    p.add_argument("path")
    p.set_defaults(handler=_info)
    p = sub.add_parser("analyze", help="estimates with autocorrelation-corrected errors")
    p.add_argument("path")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_analyze)
    p = sub.add_parser("plot", help="figures of a run as PNG")
    p.add_argument("path")
    p.add_argument("--out", metavar="PNG", help="output file (default: PATH with .png)")
    p.set_defaults(handler=_plot)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except StatmechError as exc:
        print(f"{getattr(exc, 'prog', 'statmech-nn')}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
