"""The review as Markdown (text in a terminal is the same words without the marks)."""

from __future__ import annotations

from patron.services.review import Review


def title(review: Review) -> str:
    """'Review of November 2026 (2026-11-01 to 2026-11-30)', with the engagement when narrowed."""
    what = f"{review.engagement}, {review.name}" if review.engagement else review.name
    span = f" ({review.first} to {review.last})" if review.period != "days" else ""
    return f"Review of {what}{span}"


def covering(review: Review) -> str:
    """The line that says why this period was chosen, or '' when it was the one asked for."""
    return f"Covering {review.note}." if review.note else ""


def no_time(review: Review) -> str:
    return (f"No time logged in {review.name}; log it with `patron time 1h30 ENGAGEMENT` "
            "(or `--at \"yesterday 14:00\"`).")


def markdown(review: Review) -> str:
    out = [f"# {title(review)}", ""]
    if review.note:
        out += [covering(review), ""]
    out += ["## Would they hire you back?", ""]
    for c in review.clients:
        arrow = "up" if c.score > c.previous_score + 0.5 else \
            "down" if c.score < c.previous_score - 0.5 else "steady"
        out += [f"### {c.engagement}: {c.score:.0f}/100, {c.verdict} "
                f"({arrow} from {c.previous_score:.0f})", ""]
        out += _items("Promises kept", c.kept) + _items("Promises broken", c.broken)
        out += _items("Feedback received", c.feedback)
        out += _items("Feedback not asked for from", c.not_asked)
        out += _items("Asks done", c.asks_done)
    out += ["## Your three bosses", "", *_bosses(review)]
    if review.engagement is None:  # your goals and reflection are not one client's
        out += ["", "## Your own goals", ""]
        for goal in review.goals:
            notes = "; ".join(goal["notes"]) or "no progress noted this period"
            out.append(f"- {goal['title']} ({goal['kind']}, {goal['status']}): {notes}")
        if not review.goals:
            out.append("- none set (add one with `patron goal add`)")
    out += ["", "## Relationships going cold", ""]
    out += [f"- {line}" for line in review.neglected] or ["- none"]
    if review.engagement is not None:
        return "\n".join([*out, ""])
    out += ["", "## Reflection", ""]
    answered = dict(review.reflections)
    for question, answer in review.last_reflections:
        out.append(f"- Last period you wrote, to \"{question}\": {answer}")
    from patron.domain.periods import MENTOR_QUESTIONS

    for n, question in enumerate(MENTOR_QUESTIONS, start=1):
        out.append(f"{n}. {question} {('*' + answered[question] + '*') if question in answered else ''}"
                   .rstrip())
    out += ["", "Answer with `patron reflect N \"...\"`.", ""]
    return "\n".join(out)


def _bosses(review: Review) -> list[str]:
    total = sum(review.time_minutes.values())
    if not total:
        return [no_time(review)]
    out = ["| boss | time | share | target |", "| --- | ---: | ---: | ---: |"]
    for boss, minutes in review.time_minutes.items():
        out.append(f"| {boss} | {minutes // 60}h{minutes % 60:02d} | {minutes / total:.0%} "
                   f"| {review.time_target[boss]:.0%} |")
    return out


def _items(heading: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{heading}:", *(f"- {item}" for item in items), ""]


def text(review: Review) -> str:
    """The same report for a terminal: Markdown's marks taken out."""
    lines = []
    for line in markdown(review).splitlines():
        stripped = line.lstrip("#").strip() if line.startswith("#") else \
            line.replace("*", "").replace("`", "")
        if line.startswith("| ---"):
            continue
        lines.append(stripped.replace(" | ", "  ").strip("| ") if line.startswith("|") else stripped)
    return "\n".join(lines) + "\n"
