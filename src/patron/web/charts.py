"""Where things go on the page's pictures: plain numbers that the templates draw as SVG.

Drawing in the template (not as a string of SVG here) keeps every name escaped by Jinja2.
The grid follows the review's (``reports/html.py``): interest across, power up, 0-5, the
quadrant lines at ``stakeholders.high``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from patron.services.client import Member
from patron.services.hire import MonthScore

GRID = 400    # the grid's side in SVG units
PAD = 44      # room for the axis labels
CHART_W, CHART_H, CHART_PAD = 560, 200, 36


def _at(value: float) -> float:
    return PAD + value / 5 * (GRID - 2 * PAD)


def grid(members: Sequence[Member], high: int) -> dict[str, Any]:
    """The grid's lines and one point per stakeholder; people on the same spot fan out."""
    split = _at(high - 0.5)
    spots: dict[tuple[int, int], list[Member]] = {}
    for m in members:
        spots.setdefault((m.attributes.interest, m.attributes.power), []).append(m)
    points = []
    for (interest, power), here in spots.items():
        for n, m in enumerate(here):
            angle = 2 * math.pi * n / len(here)
            spread = 0 if len(here) == 1 else 12
            x = _at(interest) + spread * math.cos(angle)
            y = GRID - _at(power) + spread * math.sin(angle)
            points.append({"person_id": m.person_id, "name": m.name, "role": m.role,
                           "power": m.attributes.power, "interest": m.attributes.interest,
                           "quadrant": m.quadrant, "x": round(x, 1), "y": round(y, 1)})
    _place_labels(points)
    return {"size": GRID, "pad": PAD, "inner": GRID - 2 * PAD, "split_x": round(split, 1),
            "split_y": round(GRID - split, 1), "points": points}


LABEL_H = 13          # a label's height in SVG units (12px text)
CHAR_W = 6.6          # an average character's width at that size


def _place_labels(points: list[dict[str, Any]]) -> None:
    """Put each name beside its point where it covers no name placed before it: right of
    the point first, then left, each a line higher or lower if need be."""
    # the dots themselves are taken first: no name may cover another person's point
    taken = [(p["x"] - 7, p["y"] - 7, p["x"] + 7, p["y"] + 7) for p in points]
    offsets = (0, -LABEL_H, LABEL_H, -2 * LABEL_H, 2 * LABEL_H, -3 * LABEL_H, 3 * LABEL_H)
    for point in sorted(points, key=lambda p: (p["y"], p["x"])):
        width = CHAR_W * len(point["name"])
        candidates = [(side, dy) for dy in offsets for side in ("start", "end")]
        chosen = candidates[0]
        for side, dy in candidates:
            box = _box(point, side, dy, width)
            if not any(_overlap(box, other) for other in taken):
                chosen = (side, dy)
                break
        side, dy = chosen
        taken.append(_box(point, side, dy, width))
        point["anchor"] = side
        point["label_x"] = round(point["x"] + (9 if side == "start" else -9), 1)
        point["label_y"] = round(point["y"] + 4 + dy, 1)


def _box(point: dict[str, Any], side: str, dy: float, width: float
         ) -> tuple[float, float, float, float]:
    left = point["x"] + 9 if side == "start" else point["x"] - 9 - width
    top = point["y"] - LABEL_H / 2 + dy
    return left, top, left + width, top + LABEL_H


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def history(months: Sequence[MonthScore], out_of: float) -> dict[str, Any]:
    """The hire-me-back score month by month as a line over 0 .. out_of."""
    if not months:
        return {"points": [], "width": CHART_W, "height": CHART_H}
    step = (CHART_W - 2 * CHART_PAD) / max(1, len(months) - 1)
    scale = (CHART_H - 2 * CHART_PAD) / (out_of or 100)
    points = [{"month": m.month, "score": round(m.score, 1),
               "x": round(CHART_PAD + n * step, 1),
               "y": round(CHART_H - CHART_PAD - m.score * scale, 1)} for n, m in enumerate(months)]
    return {"points": points, "width": CHART_W, "height": CHART_H, "pad": CHART_PAD,
            "line": " ".join(f"{p['x']},{p['y']}" for p in points),
            "top": CHART_PAD, "bottom": CHART_H - CHART_PAD, "out_of": out_of,
            "middle": round(CHART_H - CHART_PAD - out_of / 2 * scale, 1)}


SCORE_ROW, SCORE_NAME_W, SCORE_SCALE = 34, 210, 4   # a client's row; 100 points = 400 units


def scores(clients: Sequence[Any]) -> dict[str, Any]:
    """The review's hire-me-back bars: last period (grey) above now (by verdict), 0-100."""
    rows = []
    for n, c in enumerate(clients):
        y = 10 + n * SCORE_ROW
        rows.append({"engagement": c.engagement, "short": _short(c.engagement, 30), "y": y,
                     "text_y": y + 16, "previous": round(c.previous_score * SCORE_SCALE, 1),
                     "now": round(c.score * SCORE_SCALE, 1), "verdict": c.verdict,
                     "score": round(c.score), "previous_score": round(c.previous_score),
                     "label_x": round(SCORE_NAME_W + 6 + c.score * SCORE_SCALE, 1)})
    return {"width": SCORE_NAME_W + 100 * SCORE_SCALE + 40, "height": SCORE_ROW * len(rows) + 20,
            "x": SCORE_NAME_W, "rows": rows}


def bosses(minutes: dict[str, int], target: dict[str, float]) -> dict[str, Any]:
    """Time per boss as bars of its share, a mark at the target share."""
    total = sum(minutes.values()) or 1
    rows = []
    for n, (boss, spent) in enumerate(minutes.items()):
        share, aim = spent / total, target.get(boss, 0.0)
        y = 10 + n * 34
        rows.append({"boss": boss, "y": y, "text_y": y + 14, "width": round(share * 400, 1),
                     "target_x": round(90 + aim * 400, 1), "minutes": spent,
                     "share": round(share, 4), "target": round(aim, 4),
                     "label": f"{spent // 60}h{spent % 60:02d} ({share:.0%}, target {aim:.0%})"})
    return {"width": 720, "height": 20 + 34 * len(rows), "rows": rows,
            "logged": sum(minutes.values())}


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"
