"""The line every benchmark prints per comparison, and the exit status that says whether all targets held.

    <what>: ours X, baseline Y, ratio R (target >= T) PASS|FAIL

Speed comparisons give rates (higher is better), so R = X / Y. Accuracy comparisons give an estimate against an
exact value and a deviation held to an upper bound. A comparison whose two computations disagree (``valid=False``)
fails whatever its ratio: it did not time the same work. :func:`best_of_both` times two functions fairly.
"""
from __future__ import annotations

import time


def best_of_both(baseline, ours, repeat: int, back_to_back: bool = False) -> tuple[float, float]:
    """The shortest of ``repeat`` timed calls of each function after a warm-up call of each (compilation, caches),
    calls alternating so that both see the same load. ``back_to_back``: each timed call right after an untimed
    one of the same function, so that neither pays for its memory having gone cold while the other ran (a VM's
    proactive reclaim, e.g. DAMON, pages out data left untouched for a second or two)."""
    baseline()
    ours()
    times = [], []
    for _ in range(repeat):
        for fn, out in zip((baseline, ours), times):
            if back_to_back:
                fn()
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return min(times[0]), min(times[1])


def _num(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}g}"


class Targets:
    """Collects the comparisons of one benchmark run; :meth:`exit_status` is 1 if any failed."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def _verdict(self, what: str, ok: bool, valid: bool) -> str:
        if not (ok and valid):
            self.failed.append(what)
        return "PASS" if ok and valid else "FAIL" if valid else "FAIL (the two results differ)"

    def ratio(self, what: str, ours: float, baseline: float, target: float, unit: str = "", *,
              valid: bool = True) -> float:
        """Print ours/baseline (both rates, higher is better) against ``ratio >= target``; returns the ratio."""
        r = ours / baseline
        print(f"{what}: ours {_num(ours)}{unit}, baseline {_num(baseline)}{unit}, ratio {r:.3g} "
              f"(target >= {target:g}) {self._verdict(what, r >= target, valid)}")
        return r

    def bound(self, what: str, ours: float, baseline: float, label: str, value: float, target: float) -> None:
        """Print an accuracy comparison: ``label`` = ``value`` (a deviation of ours from baseline) <= target."""
        print(f"{what}: ours {_num(ours, 7)}, baseline {_num(baseline, 7)}, {label} {value:.3g} "
              f"(target <= {target:g}) {self._verdict(what, value <= target, True)}")

    def exit_status(self) -> int:
        if self.failed:
            print(f"FAILED targets: {'; '.join(self.failed)}")
            return 1
        return 0
