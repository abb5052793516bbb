"""The review as one self-contained HTML page with inline SVG charts.

Nothing from the register is ever written unescaped: every text passes
through ``html.escape``; there is no script and no outside resource.
"""

from __future__ import annotations

from html import escape

from patron.domain.periods import MENTOR_QUESTIONS
from patron.reports.review import covering, no_time
from patron.reports.review import title as heading
from patron.services.client import Member
from patron.services.review import Review

STYLE = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;
max-width:920px;margin:2rem auto;padding:0 1rem;background:#fafbfc}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d9e2ec}
.card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
.score{font-size:1.8rem;font-weight:600}.likely{color:#2f855a}.unsure{color:#b7791f}
.at-risk{color:#c53030}.muted{color:#616e7c}ul{margin:.3rem 0 .6rem}
.grids{display:flex;flex-wrap:wrap;gap:1rem}
"""


def page(review: Review, grids: dict[str, list[Member]], high: int) -> str:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>Review {review.first} to {review.last}</title><style>{STYLE}</style>"
             "</head><body>",
             f"<h1>{escape(heading(review))}</h1>"
             + (f"<p class='muted'>{escape(covering(review))}</p>" if review.note else ""),
             "<h2>Would they hire you back?</h2>", _scores_chart(review)]
    for c in review.clients:
        css = c.verdict.replace(" ", "-")
        parts.append(f"<div class='card'><div><strong>{escape(c.engagement)}</strong> "
                     f"<span class='score {css}'>{c.score:.0f}</span>/100 "
                     f"<span class='{css}'>{escape(c.verdict)}</span> "
                     f"<span class='muted'>(last period {c.previous_score:.0f})</span></div>")
        for title, items in (("Promises kept", c.kept), ("Promises broken", c.broken),
                             ("Feedback received", c.feedback),
                             ("Feedback not asked for from", c.not_asked), ("Asks done", c.asks_done)):
            if items:
                parts.append(f"<div>{title}:<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items)
                             + "</ul></div>")
        parts.append("</div>")
    parts += ["<h2>Your three bosses</h2>",
              _time_chart(review) if sum(review.time_minutes.values())
              else f"<p>{escape(no_time(review).replace('`', ''))}</p>"]
    parts += ["<h2>Who matters where</h2><div class='grids'>"]
    parts += [_grid(name, members, high) for name, members in grids.items() if members]
    parts += ["</div><h2>Your own goals</h2><ul>"]
    for goal in review.goals:
        notes = "; ".join(goal["notes"]) or "no progress noted this period"
        parts.append(f"<li><strong>{escape(goal['title'])}</strong> ({escape(goal['kind'])}, "
                     f"{escape(goal['status'])}): {escape(notes)}</li>")
    parts += ["</ul><h2>Relationships going cold</h2><ul>"]
    parts += [f"<li>{escape(line)}</li>" for line in review.neglected] or ["<li>none</li>"]
    parts += ["</ul><h2>Reflection</h2>"]
    for question, answer in review.last_reflections:
        parts.append(f"<p class='muted'>Last period, to “{escape(question)}”: {escape(answer)}</p>")
    answered = dict(review.reflections)
    parts.append("<ol>" + "".join(
        f"<li>{escape(q)}" + (f"<br><em>{escape(answered[q])}</em>" if q in answered else "") + "</li>"
        for q in MENTOR_QUESTIONS) + "</ol>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _scores_chart(review: Review) -> str:
    """Each client's score last period (grey) and now (coloured), on a 0-100 scale."""
    row, width = 34, 620
    height = row * len(review.clients) + 20
    bars = []
    for n, c in enumerate(review.clients):
        y = 10 + n * row
        colour = {"likely": "#38a169", "unsure": "#d69e2e"}.get(c.verdict, "#e53e3e")
        bars.append(
            f"<text x='0' y='{y + 16}' font-size='12'>{escape(c.engagement[:28])}</text>"
            f"<rect x='200' y='{y}' width='{c.previous_score * 4:.1f}' height='10' fill='#cbd2d9'/>"
            f"<rect x='200' y='{y + 12}' width='{c.score * 4:.1f}' height='12' fill='{colour}'/>"
            f"<text x='{206 + c.score * 4:.1f}' y='{y + 22}' font-size='11'>{c.score:.0f}</text>")
    return (f"<svg role='img' aria-label='hire-me-back scores' width='{width}' height='{height}' "
            f"xmlns='http://www.w3.org/2000/svg'>{''.join(bars)}</svg>")


def _time_chart(review: Review) -> str:
    """Time per boss against the target share."""
    total = sum(review.time_minutes.values()) or 1
    bars = []
    for n, (boss, minutes) in enumerate(review.time_minutes.items()):
        y = 10 + n * 34
        share, target = minutes / total, review.time_target[boss]
        bars.append(
            f"<text x='0' y='{y + 14}' font-size='12'>{escape(boss)}</text>"
            f"<rect x='90' y='{y}' width='{share * 400:.1f}' height='18' fill='#3182ce'/>"
            f"<line x1='{90 + target * 400:.1f}' x2='{90 + target * 400:.1f}' y1='{y - 3}' "
            f"y2='{y + 21}' stroke='#1a202c' stroke-width='2'/>"
            f"<text x='500' y='{y + 14}' font-size='12'>{minutes // 60}h{minutes % 60:02d} "
            f"({share:.0%}, target {target:.0%})</text>")
    return (f"<svg role='img' aria-label='time per boss' width='680' height='{20 + 34 * len(bars)}' "
            f"xmlns='http://www.w3.org/2000/svg'>{''.join(bars)}</svg>")


def _grid(name: str, members: list[Member], high: int) -> str:
    """A small power-interest grid: interest across, power up."""
    size, pad = 260, 30

    def at(value: int) -> float:
        return pad + value / 5 * (size - 2 * pad)

    split = at(high) - (size - 2 * pad) / 10
    dots = []
    for n, m in enumerate(members):
        x, y = at(m.attributes.interest), size - at(m.attributes.power)
        dots.append(f"<circle cx='{x:.0f}' cy='{y:.0f}' r='4' fill='#2b6cb0'/>"
                    f"<text x='{x + 6:.0f}' y='{y - 4 + (n % 3) * 9:.0f}' font-size='9'>"
                    f"{escape(m.name.split()[0])}</text>")
    return (f"<div class='card'><strong>{escape(name)}</strong><br>"
            f"<svg role='img' aria-label='power-interest grid' width='{size + 70}' height='{size}' "
            f"xmlns='http://www.w3.org/2000/svg'>"
            f"<rect x='{pad}' y='{pad}' width='{size - 2 * pad}' height='{size - 2 * pad}' "
            "fill='none' stroke='#9aa5b1'/>"
            f"<line x1='{split:.0f}' x2='{split:.0f}' y1='{pad}' y2='{size - pad}' stroke='#9aa5b1'/>"
            f"<line y1='{size - split:.0f}' y2='{size - split:.0f}' x1='{pad}' x2='{size - pad}' "
            "stroke='#9aa5b1'/>"
            f"<text x='{pad}' y='{size - 8}' font-size='10' fill='#616e7c'>interest →</text>"
            f"<text x='4' y='{pad - 8}' font-size='10' fill='#616e7c'>power ↑</text>"
            f"{''.join(dots)}</svg></div>")
