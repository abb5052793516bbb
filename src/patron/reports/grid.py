"""The power-interest grid as a picture (SVG or PNG), drawn with matplotlib.

matplotlib is an optional dependency: ``pip install 'patron[charts]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.errors import InvalidInput


@dataclass(frozen=True)
class Point:
    name: str
    role: str
    power: int
    interest: int


def draw(title: str, points: Sequence[Point], high: int, path: Path) -> None:
    """Write the grid to ``path``; the suffix (.svg or .png) picks the format."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise InvalidInput(f"{path}: a grid picture must end in .svg or .png")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise InvalidInput("pictures need matplotlib: pip install 'patron[charts]'") from None
    figure, axes = pyplot.subplots(figsize=(7, 6), dpi=110)
    try:
        _grid(axes, title, points, high)
        figure.tight_layout()
        figure.savefig(path, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write it ({exc.strerror})") from None
    finally:
        pyplot.close(figure)


def _grid(ax: Any, title: str, points: Sequence[Point], high: int) -> None:
    split = high - 0.5
    ax.set_xlim(-0.5, 5.5)
    ax.set_ylim(-0.5, 5.5)
    ax.axvline(split, color="#888888", linewidth=1)
    ax.axhline(split, color="#888888", linewidth=1)
    for x, y, label in ((0.0, 5.3, "keep satisfied"), (split + 0.2, 5.3, "manage closely"),
                        (0.0, -0.3, "monitor"), (split + 0.2, -0.3, "keep informed")):
        ax.text(x, y, label, fontsize=9, color="#555555", style="italic")
    rows: dict[int, list[Point]] = {}
    for p in sorted(points, key=lambda p: (p.power, p.interest, p.name)):
        rows.setdefault(p.power, []).append(p)
    for row in rows.values():
        for i, p in enumerate(row):
            # Alternate above and below the row, moving further out, so labels do not collide.
            dy = 8 + 12 * (i // 2) if i % 2 == 0 else -(16 + 12 * (i // 2))
            ax.scatter([p.interest], [p.power], s=60, color="#2b6cb0", zorder=3)
            ax.annotate(f"{p.name} ({p.role})", (p.interest, p.power), fontsize=8, ha="center",
                        xytext=(0, dy), textcoords="offset points")
    ax.set_xlabel("interest")
    ax.set_ylabel("power")
    ax.set_title(title)
