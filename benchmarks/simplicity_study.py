"""Networks per second of the whole ``simplicity`` study (runner, block-wise counting, checkpoint view, final sort
and K_LZ of every distinct function) against the library's count alone (kernel + hash table,
:func:`statmech_nn.simplicity.sampler.count_functions`) timed in the same run; the ratio is printed, with the CPU
time so that a busy machine shows. 7-40-40-1 ReLU by default.

Target: study / library >= 0.6 in wall time and in CPU time (docs/simplicity.md measured the study at 1.3× the
bare count's CPU, i.e. 0.77).

    python benchmarks/simplicity_study.py --samples 1000000
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

import statmech_nn  # noqa: E402
from statmech_nn.simplicity.sampler import NetworkSpec, count_functions  # noqa: E402
from _report import Targets  # noqa: E402

TARGET = 0.6  # networks/s of the whole study / of the library count


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=7)
    ap.add_argument("--layers", default="40,40")
    ap.add_argument("--samples", type=int, default=1_000_000)
    ap.add_argument("--block-size", type=int, default=1000)
    a = ap.parse_args()
    widths = tuple(int(w) for w in a.layers.split(","))
    settings = {"inputs": a.inputs, "layers": a.layers, "block_size": a.block_size, "seed": 1}
    statmech_nn.run("simplicity", **settings, samples=2 * a.block_size)  # compile
    count_functions(NetworkSpec(a.inputs, widths), 1, 0, 2, a.block_size)
    blocks = -(-a.samples // a.block_size)
    table, t_lib, c_lib = timed(lambda: count_functions(NetworkSpec(a.inputs, widths), 1, 0, blocks, a.block_size))
    run, t_study, c_study = timed(lambda: statmech_nn.run("simplicity", **settings, samples=blocks * a.block_size))
    total = blocks * a.block_size
    print(f"{a.inputs}-{'-'.join(map(str, widths))}-1 relu, {total} networks in blocks of {a.block_size}, "
          f"numba threads {numba.get_num_threads()}; {int(run.results['n_distinct'])} distinct functions")
    print(f"library count (kernel + table): {total / t_lib:9.0f} networks/s wall, {total / c_lib:9.0f} per CPU-s")
    print(f"whole study (in memory):        {total / t_study:9.0f} networks/s wall, {total / c_study:9.0f} per CPU-s")
    print(f"projected wall time for 10^8 networks at this rate: {1e8 * t_study / total / 60:.1f} min")
    targets = Targets()
    targets.ratio("simplicity networks, wall (whole study vs library count)", total / t_study, total / t_lib, TARGET,
                  "/s")
    targets.ratio("simplicity networks, CPU (whole study vs library count)", total / c_study, total / c_lib, TARGET,
                  " per CPU-s")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
