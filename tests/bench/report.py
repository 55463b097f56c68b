"""Plain-text report helpers: aligned tables, and timing that resists a noisy machine."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """Aligned columns; ``align`` has an "l" or "r" per column, by default the first column
    (labels) left and the others (figures) right."""
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align, strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def heading(title: str) -> str:
    return f"\n{title}\n{'=' * len(title)}"


def median_seconds(works: dict[str, Callable[[], object]], *, runs: int) -> dict[str, float]:
    """Median wall time of each of ``works``, after one warm-up each (caches, lazy imports).
    Runs are interleaved (a, b, c, a, b, c, ...) so a slow spell on a shared 2-core machine
    lands on every variant alike, and the median ignores a preempted run. The garbage collector
    is paused while timing, as timeit does: otherwise a collection triggered by one variant's
    garbage lands in whichever run comes next."""
    for work in works.values():
        work()
    samples: dict[str, list[float]] = {label: [] for label in works}
    for _ in range(runs):
        for label, work in works.items():
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                work()
                samples[label].append(time.perf_counter() - started)
            finally:
                gc.enable()
    return {label: statistics.median(times) for label, times in samples.items()}
