"""Random networks per second for the simplicity-bias sampler (:mod:`statmech_nn.simplicity.sampler`, 7-40-40-1
ReLU by default) vs a batched numpy float32 implementation (stacked matmuls over all 2^n inputs, numpy's Generator
for the weights) timed in the same run; the ratio is printed. The library is timed twice: the sampling kernel alone
and the whole count (kernel + hash table).

Target: >= 1.5× the numpy rate for the count and for the kernel alone (docs/simplicity.md measured the count at
2.5× on a loaded machine).

    python benchmarks/simplicity_throughput.py --blocks 512 --block-size 256
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # time the checkout this script belongs to
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_report.py

from statmech_nn.simplicity.sampler import NetworkSpec, block_states, count_functions, sample_functions  # noqa: E402
from _report import Targets  # noqa: E402

TARGET = 1.5  # networks/s, library / numpy


def numpy_functions(n: int, widths: list[int], n_networks: int, batch: int, gen: np.random.Generator) -> np.ndarray:
    """Packed truth tables of ``n_networks`` ReLU networks (σ_w² = σ_b² = 1), ``batch`` networks per stacked matmul."""
    n_in = 1 << n
    x = ((np.arange(n_in)[None, :] >> np.arange(n - 1, -1, -1)[:, None]) & 1).astype(np.float32)
    dims = [n, *widths, 1]
    out = np.empty((n_networks, max(1, n_in // 64)), np.uint64)
    for start in range(0, n_networks, batch):
        b = min(batch, n_networks - start)
        h = np.broadcast_to(x, (b, n, n_in))
        for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:])):
            w = gen.standard_normal((b, fan_out, fan_in), dtype=np.float32) * np.float32(1 / np.sqrt(fan_in))
            h = w @ h + gen.standard_normal((b, fan_out, 1), dtype=np.float32)
            if layer < len(dims) - 2:
                np.maximum(h, 0, out=h)
        bits = np.packbits(h[:, 0, :] > 0, axis=1, bitorder="little")
        out[start:start + b] = np.ascontiguousarray(bits).view(np.uint64).reshape(b, -1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=7)
    ap.add_argument("--widths", type=int, nargs="*", default=[40, 40])
    ap.add_argument("--blocks", type=int, default=512)
    ap.add_argument("--block-size", type=int, default=256)
    ap.add_argument("--numpy-batch", type=int, default=1024)
    a = ap.parse_args()
    spec = NetworkSpec(a.n, tuple(a.widths))
    total = a.blocks * a.block_size
    sample_functions(spec, block_states(0, 0, 2), 2)  # compile
    count_functions(spec, 0, 0, 1, 2)
    states = block_states(1, 0, a.blocks)
    t0 = time.perf_counter()
    sample_functions(spec, states, a.block_size)
    t_kernel = time.perf_counter() - t0
    t0 = time.perf_counter()
    table = count_functions(spec, 1, 0, a.blocks, a.block_size)
    t_count = time.perf_counter() - t0
    t0 = time.perf_counter()
    numpy_functions(a.n, a.widths, total, a.numpy_batch, np.random.default_rng(0))
    t_np = time.perf_counter() - t0
    print(f"{'-'.join(map(str, [a.n, *a.widths, 1]))} ReLU, {total} networks, blocks of {a.block_size}, "
          f"numba threads {numba.get_num_threads()}; {table.n_distinct} distinct functions")
    print(f"projected time for 10^8 networks: {1e8 * t_count / total / 60:.1f} min")
    targets = Targets()
    targets.ratio("random networks, sampler kernel (vs numpy float32 batched)", total / t_kernel, total / t_np, TARGET,
                  " networks/s")
    targets.ratio("random networks, count = kernel + table (vs numpy float32 batched)", total / t_count, total / t_np,
                  TARGET, " networks/s")
    return targets.exit_status()


if __name__ == "__main__":
    sys.exit(main())
