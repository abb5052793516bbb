"""Timing whole processes for the import benchmarks: wall and CPU seconds, medians, cells."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from datetime import datetime


def timed(command: list[str], now: datetime) -> tuple[float, float]:
    """Wall and CPU seconds of one process, run with Patron's clock at ``now``."""
    env = {**os.environ, "PATRON_NOW": now.isoformat(), "CI": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def shown(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.2f} s / {pair[1]:.2f} s"
